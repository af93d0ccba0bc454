//! Records: the cells of one row turned into a [`NewReview`].
//!
//! Every format reader hands over a [`RawRow`]: its record number and the cells of the
//! mapped columns. The [`Mapper`] owns the column mapping and the defaults from the
//! command line, and applies the per-field parsers of [`crate::value`]. The first cell
//! that cannot be read makes the record a [`RowError`] naming that column.

use koubei_core::{Channel, NewReview};

use crate::ImportOptions;
use crate::error::RowError;
use crate::field::Field;
use crate::followup::split_inline_followup;
use crate::mask::mask_author;
use crate::pii::mask_text;
use crate::value::{Cell, Epoch, parse_datetime, parse_rating};

/// One record as a format reader found it.
#[derive(Debug)]
pub struct RawRow {
    /// 1-based record number, the header not counted.
    pub row: u64,
    /// Where the record is when the row number alone does not say it (`line 7`).
    pub location: Option<String>,
    /// `(column index, cell)` for the mapped columns present in the record.
    pub cells: Vec<(usize, Cell)>,
}

/// A record that is broken before any field is read (wrong field count, bad JSON).
#[derive(Debug)]
pub struct RowFault {
    pub row: u64,
    pub message: String,
}

/// Turns raw rows into reviews for one file.
#[derive(Debug)]
pub struct Mapper {
    file: String,
    headers: Vec<String>,
    fields: Vec<Option<Field>>,
    has_followup_column: bool,
    epoch: Epoch,
    channel: Option<Channel>,
    brand: Option<String>,
    category: Option<String>,
}

impl Mapper {
    pub fn new(
        file: &str,
        columns: &[(String, Option<Field>)],
        epoch: Epoch,
        opts: &ImportOptions,
    ) -> Mapper {
        let fields: Vec<Option<Field>> = columns.iter().map(|(_, f)| *f).collect();
        Mapper {
            file: file.to_string(),
            headers: columns.iter().map(|(h, _)| h.clone()).collect(),
            has_followup_column: fields.contains(&Some(Field::FollowupText)),
            fields,
            epoch,
            channel: opts.channel,
            brand: opts.brand.clone(),
            category: opts.category.clone(),
        }
    }

    /// The field column `index` feeds, if any.
    pub fn field_of(&self, index: usize) -> Option<Field> {
        self.fields.get(index).copied().flatten()
    }

    /// A record-level fault as the error the caller sees.
    pub fn fault(&self, fault: RowFault) -> RowError {
        RowError {
            file: self.file.clone(),
            row: fault.row,
            field: None,
            message: crate::pii::mask_text(&fault.message),
        }
    }

    /// The review a row describes.
    pub fn build(&self, raw: RawRow) -> Result<NewReview, RowError> {
        let RawRow {
            row,
            location,
            cells,
        } = raw;
        let location = location.as_deref();
        let mut review = NewReview {
            source_file: Some(self.file.clone()),
            source_row: Some(row),
            ..NewReview::default()
        };
        let mut text = None;
        let mut channel = None;
        for (index, cell) in cells {
            let Some(field) = self.field_of(index) else {
                continue;
            };
            let applied = apply(&mut review, field, cell, self.epoch);
            match applied {
                Ok(Applied::Text(t)) => text = Some(t),
                Ok(Applied::Channel(c)) => channel = c,
                Ok(Applied::Done) => {}
                Err(message) => return Err(self.error(row, location, Some(index), message)),
            }
        }

        let Some(text) = text else {
            let message = "the record has no review text".to_string();
            return Err(self.error(row, location, self.text_column(), message));
        };
        self.finish(&mut review, text, channel);
        Ok(review)
    }

    fn finish(&self, review: &mut NewReview, text: String, channel: Option<Channel>) {
        review.text = text;
        if !self.has_followup_column
            && let Some((first, followup)) = split_inline_followup(&review.text)
        {
            review.text = first;
            review.followup_text = Some(followup);
        }
        // Personal data never gets further than this.
        review.text = mask_text(&review.text);
        review.followup_text = review.followup_text.as_deref().map(mask_text);
        // Shop and product names are free text too (王大锤13600001111的小店).
        for field in [
            &mut review.shop,
            &mut review.product,
            &mut review.series,
            &mut review.model,
        ] {
            if let Some(value) = field.as_mut() {
                *value = mask_text(value);
            }
        }
        review.channel = channel.or(self.channel).unwrap_or_default();
        if review.brand.is_none() {
            review.brand.clone_from(&self.brand);
        }
        if review.category.is_none() {
            review.category.clone_from(&self.category);
        }
    }

    fn text_column(&self) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(Field::Text))
    }

    fn error(
        &self,
        row: u64,
        location: Option<&str>,
        column: Option<usize>,
        message: String,
    ) -> RowError {
        // A message may quote the cell, and a cell in the wrong column may hold a phone
        // number: errors are masked like review text before anyone sees them.
        let message = crate::pii::mask_text(&match location {
            Some(location) => format!("{message} ({location})"),
            None => message,
        });
        RowError {
            file: self.file.clone(),
            row,
            field: column.and_then(|i| self.headers.get(i).cloned()),
            message,
        }
    }
}

/// What applying one cell produced beyond the fields it set directly.
enum Applied {
    Done,
    Text(String),
    Channel(Option<Channel>),
}

fn apply(
    review: &mut NewReview,
    field: Field,
    cell: Cell,
    epoch: Epoch,
) -> Result<Applied, String> {
    match field {
        Field::Text => return Ok(Applied::Text(clean_text(&cell.to_text()?))),
        Field::Channel => return channel(&cell).map(Applied::Channel),
        Field::Rating => review.rating = parse_rating(&cell)?,
        Field::CreatedAt => review.created_at = parse_datetime(&cell, epoch)?,
        Field::FollowupAt => review.followup_at = parse_datetime(&cell, epoch)?,
        Field::FollowupText => review.followup_text = non_empty(clean_text(&cell.to_text()?)),
        Field::Author => review.author = mask_author(&cell.to_text()?),
        Field::Product => review.product = plain(&cell)?,
        Field::Model => review.model = plain(&cell)?,
        Field::Series => review.series = plain(&cell)?,
        Field::Shop => review.shop = plain(&cell)?,
        Field::Brand => review.brand = plain(&cell)?,
        Field::Category => review.category = plain(&cell)?,
        Field::ChannelReviewId => review.channel_review_id = plain(&cell)?,
        Field::Ignore => {}
    }
    Ok(Applied::Done)
}

fn channel(cell: &Cell) -> Result<Option<Channel>, String> {
    let value = cell.to_text()?;
    if value.trim().is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|e: koubei_core::UnknownChannel| e.to_string())
}

/// Review text with Windows line ends made `\n` and the ends trimmed.
fn clean_text(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.contains('\r') {
        trimmed.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        trimmed.to_string()
    }
}

fn plain(cell: &Cell) -> Result<Option<String>, String> {
    Ok(non_empty(cell.to_text()?.trim().to_string()))
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper(headers: &[(&str, Option<Field>)], opts: &ImportOptions) -> Mapper {
        let columns: Vec<(String, Option<Field>)> =
            headers.iter().map(|(h, f)| (h.to_string(), *f)).collect();
        Mapper::new("t.csv", &columns, Epoch::None, opts)
    }

    fn row(cells: &[(usize, &str)]) -> RawRow {
        RawRow {
            row: 7,
            location: None,
            cells: cells
                .iter()
                .map(|(i, s)| (*i, Cell::Text(s.to_string())))
                .collect(),
        }
    }

    #[test]
    fn maps_cells_and_defaults() {
        let opts = ImportOptions {
            channel: Some(Channel::Jd),
            brand: Some("追觅".into()),
            ..ImportOptions::default()
        };
        let m = mapper(
            &[
                ("评论内容", Some(Field::Text)),
                ("评分", Some(Field::Rating)),
                ("昵称", Some(Field::Author)),
                ("平台", Some(Field::Channel)),
            ],
            &opts,
        );
        let review = m
            .build(row(&[
                (0, " 初评：很好。\r\n追评：坏了 "),
                (1, "5星"),
                (2, "张伟"),
                (3, ""),
            ]))
            .expect("valid row");
        assert_eq!(review.text, "很好。");
        assert_eq!(review.followup_text.as_deref(), Some("坏了"));
        assert_eq!(review.rating, Some(5));
        assert_eq!(review.author.as_deref(), Some("张*"));
        assert_eq!(review.channel, Channel::Jd);
        assert_eq!(review.brand.as_deref(), Some("追觅"));
        assert_eq!(review.source_row, Some(7));
        assert_eq!(review.source_file.as_deref(), Some("t.csv"));
    }

    #[test]
    fn reports_the_first_bad_cell_with_its_column() {
        let m = mapper(
            &[
                ("内容", Some(Field::Text)),
                ("评分", Some(Field::Rating)),
                ("平台", Some(Field::Channel)),
            ],
            &ImportOptions::default(),
        );
        let err = m.build(row(&[(0, "好"), (1, "6")])).expect_err("rating 6");
        assert_eq!((err.row, err.field.as_deref()), (7, Some("评分")));

        let err = m
            .build(row(&[(0, "好"), (2, "ebay")]))
            .expect_err("unknown channel");
        assert_eq!(err.field.as_deref(), Some("平台"));

        let err = m.build(row(&[(1, "5")])).expect_err("no text");
        assert_eq!(err.field.as_deref(), Some("内容"));
    }

    #[test]
    fn empty_text_is_a_review() {
        let m = mapper(&[("内容", Some(Field::Text))], &ImportOptions::default());
        let review = m
            .build(row(&[(0, "")]))
            .expect("empty text is not an error");
        assert_eq!(review.text, "");
        assert_eq!(review.channel, Channel::Other);
    }
}

//! Query strings in, store requests out.
//!
//! Parameters are read as raw strings (so that serde never rejects a value with its own
//! wording) and then converted here, one parameter at a time, so that a bad value yields
//! a 400 naming the parameter and saying what was expected. As HTML forms send every
//! field, an empty or blank value means the parameter is absent.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::{Datelike, NaiveDate};
use koubei_core::{Channel, Polarity};
use koubei_store::facts::{Dimension, Granularity};
use koubei_store::{Filter, ReviewQuery};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// How much of a bad value an error message repeats.
const SHOWN_CHARS: usize = 40;

/// Query-string extractor whose rejection is an [`ApiError`] (JSON), not axum's text.
pub struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::BadQuery(rejection.body_text()))?;
        Ok(Params(value))
    }
}

/// JSON-body extractor whose rejection is an [`ApiError`] (JSON), not axum's text.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::BadBody(rejection.body_text()))?;
        Ok(JsonBody(value))
    }
}

/// The filter parameters every view accepts. `q` is a short name for `keyword`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub channel: Option<String>,
    pub brand: Option<String>,
    pub category: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    pub keyword: Option<String>,
    pub q: Option<String>,
    pub polarity: Option<String>,
    pub include_flagged: Option<String>,
}

impl FilterParams {
    /// The store filter these parameters ask for.
    pub fn into_filter(self) -> Result<Filter, ApiError> {
        let from = parse_date("from", self.from)?;
        let to = parse_date("to", self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::bad_param(
                "from",
                format!("{from} is after `to` ({to})"),
            ));
        }
        let filter = Filter {
            from,
            to,
            channel: parse_channel(self.channel)?,
            brand: self.brand,
            category: self.category,
            series: self.series,
            model: self.model,
            keyword: present(self.q).or(self.keyword),
            polarity: parse_polarity(self.polarity)?,
            include_flagged: parse_bool("include_flagged", self.include_flagged)?.unwrap_or(false),
        };
        Ok(filter.cleaned())
    }
}

/// The drill-down parameters: a filter plus the number clicked and the page wanted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewParams {
    #[serde(flatten)]
    pub filter: FilterParams,
    pub indicator: Option<String>,
    pub typical: Option<String>,
    /// The polarity of the matching mentions, always; with it, `polarity` is the review's.
    pub mention_polarity: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
}

impl ReviewParams {
    /// The store query these parameters ask for. With an indicator or a typical opinion,
    /// `polarity` selects the polarity of the matching mentions; without, the review's.
    pub fn into_query(self) -> Result<ReviewQuery, ApiError> {
        let indicator = present(self.indicator);
        let typical = present(self.typical);
        let mut filter = self.filter.into_filter()?;
        let explicit = present(self.mention_polarity)
            .map(|v| {
                v.parse::<Polarity>().map_err(|_| {
                    ApiError::bad_param(
                        "mention_polarity",
                        format!("expected positive, neutral or negative, got {}", shown(&v)),
                    )
                })
            })
            .transpose()?;
        let mut mention_polarity = explicit;
        if explicit.is_some() {
            if explicit == Some(Polarity::Mixed) {
                return Err(ApiError::bad_param(
                    "mention_polarity",
                    "a mention is positive, neutral or negative",
                ));
            }
        } else if indicator.is_some() || typical.is_some() {
            mention_polarity = filter.polarity.take();
            if mention_polarity == Some(Polarity::Mixed) {
                return Err(ApiError::bad_param(
                    "polarity",
                    "a mention is positive, neutral or negative; `mixed` applies to whole reviews",
                ));
            }
        }
        Ok(ReviewQuery {
            filter,
            indicator,
            mention_polarity,
            typical,
            page: parse_count("page", self.page, u32::MAX)?,
            page_size: parse_count("page_size", self.page_size, ReviewQuery::MAX_PAGE_SIZE)?,
        })
    }
}

/// A view's parameters: the filter plus the width of its trend's buckets and, for the
/// indicator detail, the indicator.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ViewParams {
    #[serde(flatten)]
    pub filter: FilterParams,
    pub granularity: Option<String>,
    pub indicator: Option<String>,
}

impl ViewParams {
    pub fn granularity(&self) -> Result<Option<Granularity>, ApiError> {
        present(self.granularity.clone())
            .map(|v| {
                v.parse().map_err(|_: String| {
                    ApiError::bad_param(
                        "granularity",
                        format!("expected day, week or month, got {}", shown(&v)),
                    )
                })
            })
            .transpose()
    }

    /// The indicator path, required.
    pub fn indicator(&self) -> Result<String, ApiError> {
        present(self.indicator.clone())
            .ok_or_else(|| ApiError::bad_param("indicator", "an indicator path is required"))
    }
}

/// Most values one comparison takes.
pub const MAX_COMPARED: usize = 8;

/// The comparison's parameters: the filter, the dimension and the values to compare.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompareParams {
    #[serde(flatten)]
    pub filter: FilterParams,
    pub dimension: Option<String>,
    pub values: Option<String>,
}

impl CompareParams {
    /// The dimension (brand unless asked otherwise) and the values named, in order,
    /// without repeats; `values` is a list separated by commas.
    pub fn dimension_and_values(&self) -> Result<(Dimension, Vec<String>), ApiError> {
        let dimension = match present(self.dimension.clone()) {
            Some(d) => d.parse().map_err(|_: String| {
                ApiError::bad_param(
                    "dimension",
                    format!(
                        "expected channel, brand, category, series or model, got {}",
                        shown(&d)
                    ),
                )
            })?,
            None => Dimension::Brand,
        };
        let mut values: Vec<String> = Vec::new();
        for value in self.values.iter().flat_map(|v| v.split([',', '，'])) {
            let value = value.trim();
            if !value.is_empty() && !values.iter().any(|v| v == value) {
                values.push(value.to_string());
            }
        }
        if values.len() > MAX_COMPARED {
            return Err(ApiError::bad_param(
                "values",
                format!(
                    "at most {MAX_COMPARED} values can be compared, got {}",
                    values.len()
                ),
            ));
        }
        Ok((dimension, values))
    }
}

/// The trimmed value, or `None` when it is missing or blank.
pub(crate) fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A bad value as an error message shows it: quoted, and cut short if long.
fn shown(value: &str) -> String {
    let mut cut: String = value.chars().take(SHOWN_CHARS).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

pub(crate) fn parse_date(
    name: &'static str,
    value: Option<String>,
) -> Result<Option<NaiveDate>, ApiError> {
    present(value)
        .map(|v| {
            let bad = || {
                ApiError::bad_param(
                    name,
                    format!(
                        "expected a date like 2024-01-31 between 1900 and 2100, got {}",
                        shown(&v)
                    ),
                )
            };
            let date = NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| bad())?;
            if !(1900..=2100).contains(&date.year()) {
                return Err(bad());
            }
            Ok(date)
        })
        .transpose()
}

fn parse_channel(value: Option<String>) -> Result<Option<String>, ApiError> {
    present(value)
        .map(|v| {
            v.parse::<Channel>()
                .map(|c| c.as_str().to_string())
                .map_err(|_| {
                    ApiError::bad_param(
                        "channel",
                        format!(
                            "expected tmall, taobao, jd, suning, pdd, douyin, own_shop or other, \
                             got {}",
                            shown(&v)
                        ),
                    )
                })
        })
        .transpose()
}

fn parse_bool(name: &'static str, value: Option<String>) -> Result<Option<bool>, ApiError> {
    present(value)
        .map(|v| match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" => Ok(true),
            "false" | "0" | "off" | "no" => Ok(false),
            _ => Err(ApiError::bad_param(
                name,
                format!("expected true, false, 1, 0 or on, got {}", shown(&v)),
            )),
        })
        .transpose()
}

fn parse_polarity(value: Option<String>) -> Result<Option<Polarity>, ApiError> {
    present(value)
        .map(|v| {
            v.parse::<Polarity>().map_err(|_| {
                ApiError::bad_param(
                    "polarity",
                    format!(
                        "expected positive, neutral, negative or mixed, got {}",
                        shown(&v)
                    ),
                )
            })
        })
        .transpose()
}

/// A whole number from 1 to `max`.
fn parse_count(
    name: &'static str,
    value: Option<String>,
    max: u32,
) -> Result<Option<u32>, ApiError> {
    present(value)
        .map(|v| match v.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_param(
                name,
                format!("expected a whole number from 1 to {max}, got {}", shown(&v)),
            )),
        })
        .transpose()
}

/// A `limit` parameter: `default` when absent, refused outside 1 to `max`.
pub fn limit(given: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    let limit = given.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ApiError::bad_param("limit", format!("must be 1 to {max}")));
    }
    Ok(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter_params(pairs: &[(&str, &str)]) -> FilterParams {
        let query = as_query_object(pairs);
        serde_json::from_value(query).expect("filter params")
    }

    /// Builds the JSON object the query deserializer would see (all values strings).
    fn as_query_object(pairs: &[(&str, &str)]) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        serde_json::Value::Object(map)
    }

    fn bad_param_name(result: Result<impl std::fmt::Debug, ApiError>) -> &'static str {
        match result {
            Err(ApiError::BadParam { name, .. }) => name,
            other => panic!("expected a bad parameter, got {other:?}"),
        }
    }

    #[test]
    fn empty_values_mean_absent() {
        let params = filter_params(&[
            ("from", ""),
            ("to", " "),
            ("channel", ""),
            ("brand", ""),
            ("keyword", ""),
            ("include_flagged", ""),
        ]);
        assert_eq!(params.into_filter().expect("filter"), Filter::default());
    }

    #[test]
    fn good_values_become_a_filter() {
        let params = filter_params(&[
            ("from", "2024-01-01"),
            ("to", "2024-01-31"),
            ("channel", "天猫"),
            ("brand", " 甲 "),
            ("keyword", "吸力"),
            ("include_flagged", "on"),
        ]);
        let filter = params.into_filter().expect("filter");
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(filter.to, NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!(filter.channel.as_deref(), Some("tmall"));
        assert_eq!(filter.brand.as_deref(), Some("甲"));
        assert_eq!(filter.keyword.as_deref(), Some("吸力"));
        assert!(filter.include_flagged);
    }

    #[test]
    fn q_wins_over_keyword_unless_blank() {
        let both = filter_params(&[("q", "噪音"), ("keyword", "吸力")]);
        assert_eq!(
            both.into_filter().expect("filter").keyword.as_deref(),
            Some("噪音")
        );
        let blank_q = filter_params(&[("q", ""), ("keyword", "吸力")]);
        assert_eq!(
            blank_q.into_filter().expect("filter").keyword.as_deref(),
            Some("吸力")
        );
    }

    #[test]
    fn include_flagged_spellings() {
        let cases = [
            ("true", true),
            ("1", true),
            ("on", true),
            ("ON", true),
            ("false", false),
            ("0", false),
            ("off", false),
        ];
        for (value, expected) in cases {
            let params = filter_params(&[("include_flagged", value)]);
            assert_eq!(
                params.into_filter().expect(value).include_flagged,
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn bad_filter_values_name_their_parameter() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("from", "2024/01/01")], "from"),
            (&[("to", "yesterday")], "to"),
            (&[("from", "2024-02-30")], "from"),
            (&[("from", "2024-03-01"), ("to", "2024-02-01")], "from"),
            (&[("channel", "ebay")], "channel"),
            (&[("include_flagged", "maybe")], "include_flagged"),
        ];
        for (pairs, name) in cases {
            assert_eq!(
                bad_param_name(filter_params(pairs).into_filter()),
                name,
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn review_params_parse_paging_and_polarity() {
        let params = ReviewParams {
            indicator: Some("产品/噪音".into()),
            filter: FilterParams {
                polarity: Some("negative".into()),
                ..FilterParams::default()
            },
            page: Some("2".into()),
            page_size: Some("50".into()),
            ..ReviewParams::default()
        };
        let query = params.into_query().expect("query");
        assert_eq!(query.indicator.as_deref(), Some("产品/噪音"));
        assert_eq!(query.mention_polarity, Some(Polarity::Negative));
        assert_eq!(query.filter.polarity, None);
        assert_eq!((query.page, query.page_size), (Some(2), Some(50)));
    }

    #[test]
    fn bad_review_values_name_their_parameter() {
        let cases = [
            (("polarity", "angry"), "polarity"),
            (("page", "0"), "page"),
            (("page", "-1"), "page"),
            (("page", "two"), "page"),
            (("page_size", "501"), "page_size"),
        ];
        for ((key, value), name) in cases {
            let mut params = ReviewParams::default();
            let slot = match key {
                "polarity" => &mut params.filter.polarity,
                "page" => &mut params.page,
                _ => &mut params.page_size,
            };
            *slot = Some(value.to_string());
            assert_eq!(bad_param_name(params.into_query()), name, "{key}={value}");
        }
    }

    #[test]
    fn mention_polarity_keeps_polarity_for_the_review() {
        let params = ReviewParams {
            indicator: Some("产品".into()),
            mention_polarity: Some("negative".into()),
            filter: FilterParams {
                polarity: Some("mixed".into()),
                ..FilterParams::default()
            },
            ..ReviewParams::default()
        };
        let query = params.into_query().expect("query");
        assert_eq!(query.mention_polarity, Some(Polarity::Negative));
        assert_eq!(query.filter.polarity, Some(Polarity::Mixed));
    }

    #[test]
    fn mixed_polarity_needs_no_indicator() {
        let mixed = || FilterParams {
            polarity: Some("mixed".into()),
            ..FilterParams::default()
        };
        let review_level = ReviewParams {
            filter: mixed(),
            ..ReviewParams::default()
        };
        assert_eq!(
            review_level.into_query().expect("query").filter.polarity,
            Some(Polarity::Mixed)
        );
        let mention_level = ReviewParams {
            indicator: Some("产品".into()),
            filter: mixed(),
            ..ReviewParams::default()
        };
        assert_eq!(bad_param_name(mention_level.into_query()), "polarity");
    }

    #[test]
    fn long_bad_values_of_closed_parameters_are_cut_short_in_messages() {
        let long = "长".repeat(5_000);
        let filter = FilterParams {
            channel: Some(long.clone()),
            ..FilterParams::default()
        };
        let view = ViewParams {
            granularity: Some(long.clone()),
            ..ViewParams::default()
        };
        let compare = CompareParams {
            dimension: Some(long),
            ..CompareParams::default()
        };
        let messages = [
            filter.into_filter().map(|_| ()),
            view.granularity().map(|_| ()),
            compare.dimension_and_values().map(|_| ()),
        ];
        for message in messages {
            let message = message.expect_err("refused").to_string();
            assert!(message.chars().count() < 200, "{message}");
        }
    }

    #[test]
    fn long_bad_values_are_cut_short_in_messages() {
        let long = "x".repeat(1000);
        let shown = shown(&long);
        assert!(shown.chars().count() < 50, "{shown}");
        assert_eq!(super::shown("abc"), "\"abc\"");
    }
}

//! `GET /api/v1/reviews`: the drill-down, one page of the reviews behind a number, each
//! with its mentions (`part` says whether offsets point into the text or the follow-up);
//! `GET /api/v1/reviews/export`: the whole selection as an Excel workbook.
//!
//! Which reviews match (and in what order) is decided by the in-memory index; only the
//! page's reviews are then read from the store.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use koubei_report::xlsx::{MAX_EXPORT_REVIEWS, reviews_workbook};
use koubei_store::{ReviewPage, ReviewQuery};

use crate::access::Caller;
use crate::handlers::dashboard::with_index;
use crate::params::{Params, ReviewParams};
use crate::{ApiError, AppState};

/// How many reviews one store read fetches while exporting.
const EXPORT_CHUNK: usize = 2_000;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn index(
    State(state): State<Arc<AppState>>,
    Params(params): Params<ReviewParams>,
) -> Result<Json<ReviewPage>, ApiError> {
    let query = params.into_query()?;
    let (page, page_size) = query.paging();
    let ids = with_index(&state, move |index| index.review_ids(&query)).await?;
    let reviews = state
        .store
        .reviews_by_ids(&state.workspace, &ids.ids)
        .await?;
    Ok(Json(ReviewPage {
        total: ids.total,
        page,
        page_size,
        reviews,
    }))
}

pub async fn export(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Params(params): Params<ReviewParams>,
) -> Result<Response, ApiError> {
    let query = params.into_query()?;
    let selection = describe(&query);
    let selection_for_audit = selection.clone();
    let ids = with_index(&state, move |index| {
        index.review_ids_range(&query, 0, MAX_EXPORT_REVIEWS + 1)
    })
    .await?;
    if ids.total as usize > MAX_EXPORT_REVIEWS {
        return Err(ApiError::TooBroad(format!(
            "the selection holds {} reviews and one export takes at most {MAX_EXPORT_REVIEWS}; \
             narrow the filter (dates, channel, brand, …)",
            ids.total
        )));
    }
    let mut reviews = Vec::with_capacity(ids.ids.len());
    for chunk in ids.ids.chunks(EXPORT_CHUNK) {
        reviews.extend(state.store.reviews_by_ids(&state.workspace, chunk).await?);
    }
    let exported = reviews.len();
    let bytes = tokio::task::spawn_blocking(move || reviews_workbook(&reviews, &selection))
        .await
        .map_err(|e| ApiError::Internal(format!("export stopped: {e}")))?
        .map_err(|e| ApiError::Internal(format!("cannot write the workbook: {e}")))?;
    tracing::info!(reviews = exported, bytes = bytes.len(), "reviews exported");
    let detail = selection_text(&selection_for_audit, exported);
    state
        .store
        .audit(&state.workspace, &caller.actor(), "export_reviews", &detail)
        .await?;
    let name = format!(
        "koubei-reviews-{}.xlsx",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| ApiError::Internal(format!("bad file name header: {e}")))?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// The export as the audit log records it.
fn selection_text(selection: &[(String, String)], exported: usize) -> String {
    let conditions: Vec<String> = selection
        .iter()
        .filter(|(name, _)| !name.starts_with("导出时间"))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!("{exported} reviews; {}", conditions.join("; "))
}

/// The selection as (condition, value) pairs for the workbook's 筛选条件 sheet.
fn describe(query: &ReviewQuery) -> Vec<(String, String)> {
    let f = &query.filter;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let pairs = [
        ("开始日期 from", date(f.from)),
        ("结束日期 to", date(f.to)),
        ("渠道 channel", f.channel.clone()),
        ("品牌 brand", f.brand.clone()),
        ("品类 category", f.category.clone()),
        ("系列 series", f.series.clone()),
        ("型号 model", f.model.clone()),
        ("关键词 keyword", f.keyword.clone()),
        (
            "评论情感 polarity",
            f.polarity.map(|p| p.as_str().to_string()),
        ),
        ("指标 indicator", query.indicator.clone()),
        ("典型观点 typical", query.typical.clone()),
        (
            "观点情感 mention polarity",
            query.mention_polarity.map(|p| p.as_str().to_string()),
        ),
        (
            "包含已标记 include_flagged",
            Some(
                if f.include_flagged {
                    "是 yes"
                } else {
                    "否 no"
                }
                .to_string(),
            ),
        ),
        (
            "导出时间 exported at",
            Some(chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()),
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_string(), v)))
        .collect()
}

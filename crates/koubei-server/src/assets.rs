//! The dashboard's files, embedded in the binary at build time from `assets/`.
//!
//! The HTML pages are static shells: they carry no data, only the filter form and empty
//! containers that the scripts fill from the JSON API. Scripts build the DOM with
//! `createElement` and `textContent` only, never `innerHTML`, so review text (which anyone
//! can write) is always shown as text. Adding a file means adding it to [`FILES`].

/// One embedded file served under `/assets/`.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";
pub const JS: &str = "text/javascript; charset=utf-8";

/// The indicator table, served at `/`.
pub const DASHBOARD_HTML: &str = include_str!("../assets/index.html");
/// The drill-down, served at `/reviews`.
pub const REVIEWS_HTML: &str = include_str!("../assets/reviews.html");

/// Everything served under `/assets/{name}`.
pub const FILES: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: CSS,
        body: include_str!("../assets/app.css"),
    },
    Asset {
        name: "common.js",
        content_type: JS,
        body: include_str!("../assets/common.js"),
    },
    Asset {
        name: "dashboard.js",
        content_type: JS,
        body: include_str!("../assets/dashboard.js"),
    },
    Asset {
        name: "reviews.js",
        content_type: JS,
        body: include_str!("../assets/reviews.js"),
    },
];

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|a| a.name == name)
}

/// The embedded scripts, for checks that apply to all of them.
pub fn scripts() -> impl Iterator<Item = &'static Asset> {
    FILES.iter().filter(|a| a.content_type == JS)
}

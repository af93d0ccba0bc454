//! The dashboard's files, embedded in the binary at build time from `assets/`.
//!
//! The HTML pages are static shells: they carry no data, only the filter form and empty
//! containers that the scripts fill from the JSON API. Scripts build the DOM with
//! `createElement` and `textContent` only, never `innerHTML`, so review text (which anyone
//! can write) is always shown as text. Adding a file means adding it to [`FILES`].
//!
//! Third-party files sit in `assets/vendor/` with their licences and a `SOURCE.md` saying
//! where they came from; today that is Apache ECharts, which draws the charts.

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
pub const TEXT: &str = "text/plain; charset=utf-8";

/// The overview, served at `/`.
pub const DASHBOARD_HTML: &str = include_str!("../assets/index.html");
/// The indicator tree, served at `/indicators`.
pub const INDICATORS_HTML: &str = include_str!("../assets/indicators.html");
/// One indicator's detail, served at `/indicator`.
pub const INDICATOR_HTML: &str = include_str!("../assets/indicator.html");
/// The drill-down, served at `/reviews`.
pub const REVIEWS_HTML: &str = include_str!("../assets/reviews.html");
/// The comparison of brands, series, models or channels, served at `/compare`.
pub const COMPARE_HTML: &str = include_str!("../assets/compare.html");
/// The customer-service view, served at `/service`.
pub const SERVICE_HTML: &str = include_str!("../assets/service.html");

/// The sign-in page, served at `/login`.
pub const LOGIN_HTML: &str = include_str!("../assets/login.html");
/// The first admin's account, served at `/setup` (with the one-time secret after `#`).
pub const SETUP_HTML: &str = include_str!("../assets/setup.html");
/// Accounts, tokens and the audit log, served at `/admin`.
pub const ADMIN_HTML: &str = include_str!("../assets/admin.html");

/// Every page with the path it is served at, for checks that apply to all of them.
pub const PAGES: &[(&str, &str)] = &[
    ("/", DASHBOARD_HTML),
    ("/indicators", INDICATORS_HTML),
    ("/indicator", INDICATOR_HTML),
    ("/reviews", REVIEWS_HTML),
    ("/compare", COMPARE_HTML),
    ("/service", SERVICE_HTML),
    ("/login", LOGIN_HTML),
    ("/setup", SETUP_HTML),
    ("/admin", ADMIN_HTML),
];

/// Where third-party files live, under `/assets/vendor/` (see `assets/vendor/SOURCE.md`).
pub const VENDOR_PREFIX: &str = "vendor/";

/// Everything served under `/assets/{name}`; vendored files carry [`VENDOR_PREFIX`].
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
        name: "i18n.js",
        content_type: JS,
        body: include_str!("../assets/i18n.js"),
    },
    Asset {
        name: "layout.js",
        content_type: JS,
        body: include_str!("../assets/layout.js"),
    },
    Asset {
        name: "login.js",
        content_type: JS,
        body: include_str!("../assets/login.js"),
    },
    Asset {
        name: "setup.js",
        content_type: JS,
        body: include_str!("../assets/setup.js"),
    },
    Asset {
        name: "admin.js",
        content_type: JS,
        body: include_str!("../assets/admin.js"),
    },
    Asset {
        name: "charts.js",
        content_type: JS,
        body: include_str!("../assets/charts.js"),
    },
    Asset {
        name: "review-list.js",
        content_type: JS,
        body: include_str!("../assets/review-list.js"),
    },
    Asset {
        name: "tree-table.js",
        content_type: JS,
        body: include_str!("../assets/tree-table.js"),
    },
    Asset {
        name: "dashboard.js",
        content_type: JS,
        body: include_str!("../assets/dashboard.js"),
    },
    Asset {
        name: "tree.js",
        content_type: JS,
        body: include_str!("../assets/tree.js"),
    },
    Asset {
        name: "indicator.js",
        content_type: JS,
        body: include_str!("../assets/indicator.js"),
    },
    Asset {
        name: "reviews.js",
        content_type: JS,
        body: include_str!("../assets/reviews.js"),
    },
    Asset {
        name: "compare.js",
        content_type: JS,
        body: include_str!("../assets/compare.js"),
    },
    Asset {
        name: "service.js",
        content_type: JS,
        body: include_str!("../assets/service.js"),
    },
    Asset {
        name: "vendor/echarts.min.js",
        content_type: JS,
        body: include_str!("../assets/vendor/echarts.min.js"),
    },
    Asset {
        name: "vendor/LICENSE",
        content_type: TEXT,
        body: include_str!("../assets/vendor/LICENSE"),
    },
];

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|a| a.name == name)
}

/// Our own embedded scripts (not the vendored ones), for checks that apply to all of them.
pub fn scripts() -> impl Iterator<Item = &'static Asset> {
    FILES
        .iter()
        .filter(|a| a.content_type == JS && !a.name.starts_with(VENDOR_PREFIX))
}

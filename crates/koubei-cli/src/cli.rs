//! The command line: every subcommand and option, with its help text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The database file used when `--db` is not given.
pub const DEFAULT_DB: &str = "koubei.db";
/// The database file the demo recreates on every start.
pub const DEMO_DB: &str = "koubei-demo.db";
/// The address `serve` and `demo` listen on by default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Reviews per database transaction during import.
pub const DEFAULT_BATCH: usize = 2000;

/// koubei (口碑): import shop reviews, analyse them against an indicator tree, report and serve.
#[derive(Debug, Parser)]
#[command(name = "koubei", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import review files (CSV, TSV, XLSX/XLS, JSON, JSON Lines) and analyse them.
    Import(ImportArgs),
    /// Analyse a JSON Lines file of texts without a database (the batch contract).
    Analyze(AnalyzeArgs),
    /// Analyse the stored reviews again, e.g. after an indicator tree changed.
    Reanalyze(StoreArgs),
    /// Print per-indicator statistics, typical opinions and negative reasons.
    Report(ReportArgs),
    /// Serve the dashboard and the JSON API.
    Serve(ServeArgs),
    /// Import the bundled demo reviews into a fresh database and serve them.
    Demo(DemoArgs),
    /// Show how the engine reads one text: tokens, clauses, indicators, rules.
    Explain(ExplainArgs),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// SQLite database file (created if missing).
    #[arg(long, env = "KOUBEI_DB", default_value = DEFAULT_DB)]
    pub db: String,
    /// Workspace (one brand or client) to read and write.
    #[arg(long, env = "KOUBEI_WORKSPACE", default_value = koubei_core::DEFAULT_WORKSPACE)]
    pub workspace: String,
    /// Indicator tree files or folders to load on top of the bundled trees.
    #[arg(long = "taxonomy-dir", value_name = "PATH")]
    pub taxonomy_paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Channel for rows without one: tmall, taobao, jd, suning, pdd, douyin, own_shop, other.
    #[arg(long)]
    pub channel: Option<String>,
    /// Brand for rows without one.
    #[arg(long)]
    pub brand: Option<String>,
    /// Product category for rows without one (selects the indicator tree).
    #[arg(long)]
    pub category: Option<String>,
    /// Map a column to a field, e.g. --map 买家评语=text. Fields: text, rating, created_at,
    /// author, product, model, series, shop, brand, category, channel, review_id, followup,
    /// followup_at, ignore.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub mappings: Vec<String>,
    /// CSV delimiter to use instead of sniffing it: a character, or "tab".
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Reviews per transaction; a killed import loses at most one batch of work.
    #[arg(long, default_value_t = DEFAULT_BATCH)]
    pub batch: usize,
    /// How many row errors to print before only counting them.
    #[arg(long, default_value_t = 50)]
    pub max_errors_shown: usize,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// JSON Lines input: {"text", "id"?, "category"?, "aspects"?}; "-" for standard input.
    #[arg(long, short)]
    pub input: String,
    /// JSON Lines output, one line per input line in input order; "-" for standard output.
    #[arg(long, short)]
    pub output: String,
    /// Indicator tree to use for every line: a bundled tree id or a TOML file.
    #[arg(long)]
    pub taxonomy: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// First day included (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Last day included (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub channel: Option<String>,
    #[arg(long)]
    pub brand: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub series: Option<String>,
    #[arg(long)]
    pub model: Option<String>,
    /// Only reviews containing this text.
    #[arg(long)]
    pub keyword: Option<String>,
    /// Count flagged reviews (default reviews, spam, ...) too.
    #[arg(long)]
    pub include_flagged: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Output file (required for xlsx; standard output otherwise).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Database file for the demo; it is deleted and rebuilt on every start.
    #[arg(long, default_value = DEMO_DB)]
    pub db: String,
    /// Import and analyse, print the report, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The review text.
    pub text: String,
    /// Product category (selects the indicator tree).
    #[arg(long)]
    pub category: Option<String>,
    /// Indicator tree id or TOML file.
    #[arg(long)]
    pub taxonomy: Option<String>,
}

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
/// The configuration file `serve` reads when it exists.
pub const DEFAULT_CONFIG: &str = "koubei.toml";
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
    /// Measure the engine on a labelled file: accuracy, macro-F1, confusion, failures.
    Eval(EvalArgs),
    /// Train the review polarity model on labelled TSVs (label, optional category, text).
    Train(TrainArgs),
    /// Manage API tokens: ingest tokens push reviews, viewer/analyst/admin tokens use the API.
    Token(TokenArgs),
    /// Work with the alert channels of a configuration file.
    Alert(AlertArgs),
    /// Manage dashboard accounts.
    User(UserArgs),
    /// Delete reviews (a buyer's, a file's, or older than a date), recorded in the audit log.
    Delete(DeleteArgs),
    /// Delete reviews older than N days (the retention setting), recorded in the audit log.
    Retention(RetentionArgs),
    /// Print the newest lines of the audit log (sign-ins, exports, deletions, changes).
    Audit(AuditArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// How many lines, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add an account. There is no default password: the password is read from standard
    /// input with --password-stdin, or made up and printed once.
    Add {
        /// The name to sign in with.
        #[arg(long)]
        name: String,
        /// admin (users, settings, trees, channels), analyst (filters, exports, alert
        /// rules) or viewer (read-only dashboards).
        #[arg(long, value_parser = ["admin", "analyst", "viewer"])]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the workspace's accounts.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove an account and end its sessions.
    Remove {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a new password (read from standard input, or made up and printed once); this
    /// also lifts a lock and ends the account's sessions.
    Password {
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The author: nicknames are stored masked, so 张三 and 张* both select the reviews
    /// stored as 张* (narrow with --channel).
    #[arg(long)]
    pub author: Option<String>,
    /// With --author: only on this channel.
    #[arg(long)]
    pub channel: Option<String>,
    /// Every review imported from this file (as `source_file` shows it).
    #[arg(long)]
    pub source_file: Option<String>,
    /// Reviews written before this day (YYYY-MM-DD).
    #[arg(long)]
    pub before: Option<chrono::NaiveDate>,
    /// One review, by its number in the dashboard (#123 there).
    #[arg(long)]
    pub review: Option<i64>,
    /// Really delete (there is no undo).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Keep this many days of reviews; older ones are deleted.
    #[arg(long)]
    pub days: u32,
    /// Really delete (there is no undo).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once (only its SHA-256 digest is stored).
    Create {
        /// What the token is for (shown in logs and the token list).
        #[arg(long)]
        name: String,
        /// What it may do: ingest (push reviews only), viewer (read the API), analyst
        /// (read, export, alert rules) or admin (everything).
        #[arg(long, default_value = "ingest", value_parser = ["ingest", "viewer", "analyst", "admin"])]
        role: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the workspace's tokens (never their secrets).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token from now on (its id from `koubei token list`).
    Revoke {
        id: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Args)]
pub struct AlertArgs {
    #[command(subcommand)]
    pub action: AlertAction,
}

#[derive(Debug, Subcommand)]
pub enum AlertAction {
    /// Send a test message to one channel of the configuration file now.
    Test {
        /// The channel's `name` in `[[alerts.channels]]`.
        channel: String,
        /// The configuration file (TOML) with the `[alerts]` table.
        #[arg(long, env = "KOUBEI_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
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
    /// Polarity model: a file written by `koubei train`, or `none` to score by the rules
    /// alone (default: the bundled model).
    #[arg(long, value_name = "FILE|none")]
    pub model: Option<String>,
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
    /// Only reviews of this polarity (positive, neutral, negative, mixed).
    #[arg(long)]
    pub polarity: Option<koubei_core::Polarity>,
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
    /// Configuration file (TOML) with alert channels, rules and jobs. Without it,
    /// `koubei.toml` is read when it exists.
    #[arg(long, env = "KOUBEI_CONFIG")]
    pub config: Option<PathBuf>,
    /// Inbox folder: files dropped there are imported, then moved to done/ or failed/
    /// with a report beside them.
    #[arg(long, value_name = "DIR")]
    pub watch: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Database file for the demo; it is deleted and rebuilt on every start. Another
    /// existing file is only replaced with --force.
    #[arg(long, default_value = DEMO_DB)]
    pub db: String,
    /// Replace --db even when it is not a previous demo's file.
    #[arg(long)]
    pub force: bool,
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
    /// Polarity model: a file written by `koubei train`, or `none` to score by the rules
    /// alone (default: the bundled model).
    #[arg(long, value_name = "FILE|none")]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Model file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Folder of polarity TSVs: `*_dev.tsv` are held out, the others train (unless
    /// training files are named).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Training files (`label<TAB>text` or `label<TAB>category<TAB>text`).
    pub files: Vec<PathBuf>,
    /// Held-out files: equal texts are dropped from training, accuracy is reported.
    #[arg(long = "dev", value_name = "FILE")]
    pub dev: Vec<PathBuf>,
    /// Before the final fit, hold out a tenth of this training file (by file stem) and
    /// report accuracy on it.
    #[arg(long, value_name = "NAME")]
    pub holdout: Vec<String>,
    /// Before the final fit, cross-validate over this training file (by file stem), every
    /// other training file as background.
    #[arg(long = "folds-on", value_name = "NAME")]
    pub folds_on: Vec<String>,
    /// Train on every row of file NAME (by stem) N times, e.g. `nlpcc14_train=2`.
    #[arg(long, value_name = "NAME=N")]
    pub weight: Vec<String>,
    /// Folds for --folds-on.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Stop after --holdout and --folds-on: write no model.
    #[arg(long)]
    pub cv_only: bool,
    /// Training settings as JSON over the defaults, e.g. '{"epochs": 8}'.
    #[arg(long)]
    pub config: Option<String>,
    /// Training date written into the model (default today, UTC).
    #[arg(long)]
    pub trained_at: Option<String>,
    /// Free text written into the model.
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled file: polarity TSV, Peng aspect TSV, SemEval-2016 TSV, ZhejiangLab cosmetics
    /// JSON Lines, or hard cases JSON Lines.
    pub file: PathBuf,
    /// The file's format when its name and header do not tell: polarity, peng, semeval,
    /// cosmetics, cases.
    #[arg(long)]
    pub format: Option<String>,
    /// Indicator tree id or TOML file (default: phone or camera for SemEval, cosmetics for
    /// the cosmetics set, robot_vacuum for the cases, the row's category otherwise).
    #[arg(long)]
    pub taxonomy: Option<String>,
    /// K-fold figures for a set the engine's trained part learns from.
    #[arg(long)]
    pub folds: Option<usize>,
    /// More polarity TSV files to train every fold on (with --folds).
    #[arg(long = "train-extra", value_name = "TSV", num_args = 1..)]
    pub train_extra: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Polarity model: a file written by `koubei train`, or `none` to score by the rules
    /// alone (default: the bundled model).
    #[arg(long, value_name = "FILE|none")]
    pub model: Option<String>,
}

//! Reads a review file and prints what the importer made of it: format, encoding,
//! columns, how many records and row errors, and the time taken.
//!
//! `cargo run --release -p koubei-ingest --example count -- FILE`

use std::path::Path;
use std::time::Instant;

use koubei_ingest::{ImportOptions, open};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: count FILE");
        std::process::exit(2);
    };
    let started = Instant::now();
    let reader = match open(Path::new(&path), &ImportOptions::default()) {
        Ok(reader) => reader,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    };
    println!(
        "{:?}, {}, columns {:?}",
        reader.format(),
        reader.encoding(),
        reader.columns()
    );
    let (mut reviews, mut errors) = (0u64, 0u64);
    for record in reader {
        match record {
            Ok(_) => reviews += 1,
            Err(err) => {
                errors += 1;
                if errors <= 5 {
                    eprintln!("{err}");
                }
            }
        }
    }
    println!(
        "{reviews} reviews, {errors} row errors in {:?}",
        started.elapsed()
    );
}

//! Shared set-up for the engine's integration tests: one engine with the bundled trees.
#![allow(dead_code)] // Each test binary uses only some of these helpers.

use std::sync::OnceLock;

use koubei_engine::Engine;

/// One engine per test binary (building one takes a moment).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("bundled trees load"))
}

/// One engine that scores reviews by the rules alone, without the polarity model.
pub fn rules_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::builder()
            .without_model()
            .build()
            .expect("bundled trees load")
    })
}

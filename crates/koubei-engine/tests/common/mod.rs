//! Shared set-up for the engine's integration tests: one engine with the bundled trees.

use std::sync::OnceLock;

use koubei_engine::Engine;

/// One engine per test binary (building one takes a moment).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("bundled trees load"))
}

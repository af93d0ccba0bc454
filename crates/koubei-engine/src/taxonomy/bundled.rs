//! The indicator trees compiled into the engine: one `(file name, text)` pair per tree.
//!
//! To bundle a new tree, drop its file into `taxonomies/` and add one line here.

/// Every bundled tree file, `generic` first.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "generic.toml",
        include_str!("../../taxonomies/generic.toml"),
    ),
    (
        "robot_vacuum.toml",
        include_str!("../../taxonomies/robot_vacuum.toml"),
    ),
    ("hotel.toml", include_str!("../../taxonomies/hotel.toml")),
    ("book.toml", include_str!("../../taxonomies/book.toml")),
    (
        "computer.toml",
        include_str!("../../taxonomies/computer.toml"),
    ),
    ("phone.toml", include_str!("../../taxonomies/phone.toml")),
    ("camera.toml", include_str!("../../taxonomies/camera.toml")),
    (
        "cosmetics.toml",
        include_str!("../../taxonomies/cosmetics.toml"),
    ),
    ("tablet.toml", include_str!("../../taxonomies/tablet.toml")),
    ("fruit.toml", include_str!("../../taxonomies/fruit.toml")),
    (
        "shampoo.toml",
        include_str!("../../taxonomies/shampoo.toml"),
    ),
    (
        "water_heater.toml",
        include_str!("../../taxonomies/water_heater.toml"),
    ),
    ("dairy.toml", include_str!("../../taxonomies/dairy.toml")),
    (
        "clothing.toml",
        include_str!("../../taxonomies/clothing.toml"),
    ),
];

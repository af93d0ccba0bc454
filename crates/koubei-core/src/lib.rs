//! The nouns of koubei, defined once and shared by every crate.
//!
//! - A **review** is one buyer's text about one purchase, with the facts around it
//!   (channel, shop, brand, product, rating, times). [`NewReview`] is a review as an
//!   importer hands it over; the store gives it an id of ours.
//! - A **channel** is the shop front the review came from ([`Channel`]).
//! - An **indicator** is one node of an **indicator tree**, such as 产品 › 清洁能力 › 吸力;
//!   the engine crate owns the trees.
//! - A **mention** is one place where a review touches an indicator, with the opinion
//!   phrase as evidence and a [`Polarity`] ([`Mention`]).
//! - An **analysis** is everything the engine says about one review ([`Analysis`]).
//! - A **flag** marks a review that is kept but, for the flags that say so, left out of
//!   statistics ([`Flag`]).
//!
//! This crate does no I/O and holds no policy beyond what the types themselves need.

mod analysis;
mod channel;
mod review;
pub mod text;

pub use analysis::{Analysis, AspectPolarity, AspectVerdict, Flag, Mention, Polarity};
pub use channel::{Channel, UnknownChannel};
pub use review::{DEFAULT_WORKSPACE, NewReview, Review};

//! The versioned C ABI for providers built as shared libraries.
//!
//! A library exports one symbol, [`ENTRY_SYMBOL`], a function returning a pointer to a static
//! table whose first field is the ABI version, so a host can refuse a library built for another
//! version before it reads anything else. Calls exchange JSON documents ([`Call`] in, [`Reply`]
//! out): no Rust type crosses the boundary, and the library frees the strings it allocates
//! through the table's `free`. A panic inside the library is caught at the boundary and
//! reported as an error reply.
//!
//! * [`types`]: the tables (v2, and v1 which hosts still load) and the JSON shapes.
//! * [`library`]: the library side — [`serve`] and what [`crate::export_provider!`] expands to.
//! * `host` (feature `host`): [`LoadedLibrary`] loads a file with `libloading` and turns every
//!   failure (missing symbol, wrong version, bad descriptor, invalid JSON, panic) into a
//!   [`LoadError`] or a [`ProviderError`](crate::ProviderError) naming the file.
//!
//! v2 (this version) lets a library describe its mode with a [`ModeDescriptor`](crate::ModeDescriptor),
//! so it may add a login mode of its own; v1 libraries only name one of the built-in modes.
#![allow(unsafe_code)]

pub mod library;
pub mod types;

#[cfg(feature = "host")]
mod host;

#[cfg(feature = "host")]
pub use host::{LoadError, LoadedLibrary};
pub use library::{DescriptorSource, serve};
pub use types::{
    ABI_VERSION, Call, ENTRY_SYMBOL, OLDEST_ABI_VERSION, ProviderVTable, ProviderVTableV1, Reply,
    UiCallback,
};

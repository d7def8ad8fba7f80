//! The server's routes, one module per surface: the API for the host web admin,
//! the operations endpoints, sign-in, the page, and the demo's sign-in page.

pub mod api;
pub mod demo;
pub mod lists;
pub mod operations;
pub mod page;
pub mod sign_in;

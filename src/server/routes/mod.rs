//! The server's routes, one module per surface: the API for the host web admin, its
//! conversation lists and downloads, the operations endpoints, sign-in, the page
//! (with the conversation list page), and the demo's sign-in page.

pub mod api;
pub mod demo;
pub mod lists;
pub mod operations;
pub mod page;
pub mod sign_in;

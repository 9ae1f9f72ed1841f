//! The page and its assets, embedded in the binary: nothing is fetched from
//! anywhere else, so the page works with no internet connection.

/// The page.
pub const INDEX: &str = include_str!("assets/index.html");

/// Its script: the socket, the drawing of the villages and charts, the controls.
pub const APP_JS: &str = include_str!("assets/app.js");

/// Its styles.
pub const STYLE_CSS: &str = include_str!("assets/style.css");

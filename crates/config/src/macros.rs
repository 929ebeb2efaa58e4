//! Macro expansion shared by the configuration and submit languages.

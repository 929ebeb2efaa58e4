//! ClassAds: ordered, case-insensitively named attributes holding expressions.

/// A ClassAd (placeholder until the expression tree lands).
#[derive(Debug, Default, Clone)]
pub struct ClassAd {}

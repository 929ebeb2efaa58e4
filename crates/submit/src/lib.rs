//! HTCondor's submit language: submit descriptions to job ClassAds.

//! Live RAM: a principal's attached policies, fetched.

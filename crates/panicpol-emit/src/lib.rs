//! Writing the policy in the forms the kernel ingests.

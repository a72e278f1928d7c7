//! What the person reads, in the order the browser draws it: numbers,
//! addresses and names inside Arabic text, and the outcomes' lists.

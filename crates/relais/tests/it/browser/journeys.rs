//! The person's journeys on a phone, as she lives them: where each answer
//! lands without JavaScript, what stays on screen while she scrolls, what
//! Back shows after the exit, and the order in which Arabic text reads.

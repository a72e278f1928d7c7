//! The graph of steps: which steps a path reaches, which reach an outcome,
//! and which steps every path to a step goes through (dominators).
//!
//! Every function works on adjacency lists (`edges[step]` lists the steps
//! `step` may go to) and never recurses, so a huge or hostile flow file
//! cannot overflow the stack.

/// The steps reached from `start`.
pub(crate) fn reachable(start: usize, edges: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![start];
    while let Some(step) = stack.pop() {
        if step < seen.len() && !seen[step] {
            seen[step] = true;
            stack.extend(edges[step].iter().copied());
        }
    }
    seen
}

/// The steps from which one of `targets` can be reached.
pub(crate) fn reaching(targets: &[bool], edges: &[Vec<usize>]) -> Vec<bool> {
    let mut reverse = vec![Vec::new(); edges.len()];
    for (from, tos) in edges.iter().enumerate() {
        for &to in tos {
            reverse[to].push(from);
        }
    }
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = (0..edges.len()).filter(|&step| targets[step]).collect();
    while let Some(step) = stack.pop() {
        if !seen[step] {
            seen[step] = true;
            stack.extend(reverse[step].iter().copied());
        }
    }
    seen
}

/// The immediate dominators of the steps reached from a start step.
///
/// Step `a` dominates step `b` when every path from the start to `b` goes
/// through `a`: then `a` is always answered before `b` is. Computed with the
/// iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
/// Dominance Algorithm", 2001).
pub(crate) struct Dominators {
    start: usize,
    /// The immediate dominator of each reached step; the start is its own.
    idom: Vec<Option<usize>>,
}

impl Dominators {
    pub(crate) fn new(start: usize, edges: &[Vec<usize>]) -> Dominators {
        let count = edges.len();
        let postorder = postorder(start, edges);
        let mut rank = vec![usize::MAX; count];
        for (at, &step) in postorder.iter().enumerate() {
            rank[step] = at;
        }
        let mut predecessors = vec![Vec::new(); count];
        for (from, tos) in edges.iter().enumerate() {
            if rank[from] == usize::MAX {
                continue;
            }
            for &to in tos {
                predecessors[to].push(from);
            }
        }

        let mut idom = vec![None; count];
        idom[start] = Some(start);
        let mut changed = true;
        while changed {
            changed = false;
            for &step in postorder.iter().rev() {
                if step == start {
                    continue;
                }
                let mut new = None;
                for &predecessor in &predecessors[step] {
                    if idom[predecessor].is_none() {
                        continue;
                    }
                    new = Some(match new {
                        None => predecessor,
                        Some(other) => intersect(&idom, &rank, start, predecessor, other),
                    });
                }
                if new.is_some() && idom[step] != new {
                    idom[step] = new;
                    changed = true;
                }
            }
        }
        Dominators { start, idom }
    }

    /// Whether every path from the start to `step` goes through `through`
    /// (a step dominates itself). False for steps that are not reached.
    pub(crate) fn dominates(&self, through: usize, step: usize) -> bool {
        let mut at = step;
        loop {
            if at == through {
                return true;
            }
            match self.idom.get(at).copied().flatten() {
                Some(up) if at != self.start => at = up,
                _ => return false,
            }
        }
    }
}

/// The nearest common dominator of `a` and `b`, walking up the tree built
/// so far; the start when the walk cannot go on (which the algorithm never
/// needs, but a loop must not hang).
fn intersect(idom: &[Option<usize>], rank: &[usize], start: usize, a: usize, b: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while a != b {
        while rank[a] < rank[b] {
            match idom[a] {
                Some(up) if up != a => a = up,
                _ => return start,
            }
        }
        while rank[b] < rank[a] {
            match idom[b] {
                Some(up) if up != b => b = up,
                _ => return start,
            }
        }
    }
    a
}

/// The steps reached from `start`, each after all the steps it leads to
/// (depth-first postorder), without recursion.
fn postorder(start: usize, edges: &[Vec<usize>]) -> Vec<usize> {
    let mut order = Vec::new();
    let mut seen = vec![false; edges.len()];
    // Each frame is a step and how many of its edges were followed.
    let mut stack = vec![(start, 0)];
    seen[start] = true;
    while let Some((step, followed)) = stack.pop() {
        if let Some(&next) = edges[step].get(followed) {
            stack.push((step, followed + 1));
            if !seen[next] {
                seen[next] = true;
                stack.push((next, 0));
            }
        } else {
            order.push(step);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_on_every_path_dominates_and_a_branch_does_not() {
        // 0 → 1 → 3, 0 → 2 → 3, 3 → 4
        let edges = vec![vec![1, 2], vec![3], vec![3], vec![4], vec![]];

        let dominators = Dominators::new(0, &edges);

        assert!(dominators.dominates(0, 4));
        assert!(dominators.dominates(3, 4));
        assert!(dominators.dominates(4, 4));
        assert!(!dominators.dominates(1, 3));
        assert!(!dominators.dominates(2, 4));
        assert!(!dominators.dominates(4, 3));
    }

    #[test]
    fn dominators_follow_loops() {
        // 0 → 1 → 2 → 1, 2 → 3
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![]];

        let dominators = Dominators::new(0, &edges);

        assert!(dominators.dominates(1, 3));
        assert!(dominators.dominates(2, 3));
        assert!(!dominators.dominates(2, 1));
    }

    #[test]
    fn an_unreached_step_is_dominated_by_nothing() {
        let edges = vec![vec![], vec![0]];

        let dominators = Dominators::new(0, &edges);

        assert!(!dominators.dominates(0, 1));
    }

    #[test]
    fn reachable_and_reaching_follow_edges_both_ways() {
        let edges = vec![vec![1], vec![], vec![1], vec![3]];

        assert_eq!(reachable(0, &edges), vec![true, true, false, false]);
        assert_eq!(
            reaching(&[false, true, false, false], &edges),
            vec![true, true, true, false]
        );
    }
}

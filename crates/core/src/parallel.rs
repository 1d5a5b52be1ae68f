//! Bulk applies split over threads: worker threads prepare (decoding Automerge documents,
//! deriving rows: CPU only) while this one consumes in order (SQLite writes, which want one
//! thread). Preparing is the larger half, so there is a worker per core and the consumer
//! takes what CPU they leave. On the two cores the app is budgeted for, a rebuild takes about
//! half the time it took on one thread; a bootstrap page, bound by its writes, gains little
//! (BENCHMARKS.md).

use std::num::NonZeroUsize;
use std::sync::mpsc;
use std::thread;

/// Results each worker prepares ahead of the consumer at most: bounds the memory a fast
/// producer holds.
const AHEAD: usize = 32;

/// Worker threads at most, whatever the machine.
const MAX_WORKERS: usize = 4;

/// Calls `prepare` on each item on worker threads and `consume` on each result on this one,
/// in the items' order. Stops at the first error of either side; the workers then stop too
/// (each when its next send finds the consumer gone).
pub(crate) fn prepare_aside<I, P, E>(
    items: Vec<I>,
    prepare: impl Fn(I) -> Result<P, E> + Sync,
    mut consume: impl FnMut(P) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    P: Send,
    E: Send,
{
    let workers = thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .clamp(1, MAX_WORKERS)
        .min(items.len() / 2);
    if workers == 0 {
        // Not worth a thread.
        for item in items {
            consume(prepare(item)?)?;
        }
        return Ok(());
    }
    // Item i goes to worker i % workers, and the consumer reads the workers' channels in the
    // same rotation, so results come back in the items' order.
    let mut shares: Vec<Vec<I>> = (0..workers).map(|_| Vec::new()).collect();
    let total = items.len();
    for (index, item) in items.into_iter().enumerate() {
        shares[index % workers].push(item);
    }
    let prepare = &prepare;
    thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(workers);
        for share in shares {
            let (sender, receiver) = mpsc::sync_channel(AHEAD);
            receivers.push(receiver);
            scope.spawn(move || {
                for item in share {
                    let prepared = prepare(item);
                    let failed = prepared.is_err();
                    if sender.send(prepared).is_err() || failed {
                        break;
                    }
                }
            });
        }
        for index in 0..total {
            match receivers[index % workers].recv() {
                Ok(prepared) => consume(prepared?)?,
                // A worker stops early only after sending its error, which was read first.
                Err(mpsc::RecvError) => break,
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_consumed_in_the_items_order() {
        let mut seen = Vec::new();
        let result: Result<(), String> = prepare_aside(
            (0..1_000).collect(),
            |item: u32| Ok(item * 2),
            |prepared| {
                seen.push(prepared);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert_eq!(seen, (0..1_000).map(|item| item * 2).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_error_of_either_side_stops_both() {
        let mut seen = Vec::new();
        let result = prepare_aside(
            (0..1_000).collect(),
            |item: u32| if item == 500 { Err(item) } else { Ok(item) },
            |prepared| {
                seen.push(prepared);
                Ok(())
            },
        );
        assert_eq!(result, Err(500));
        assert_eq!(seen.len(), 500);

        let mut consumed = 0;
        let result = prepare_aside(
            (0..1_000).collect(),
            |item: u32| Ok(item),
            |prepared| {
                consumed += 1;
                if prepared == 10 {
                    Err(prepared)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err(10));
        assert_eq!(consumed, 11);
    }

    #[test]
    fn a_single_item_needs_no_thread() {
        let result: Result<(), ()> = prepare_aside(
            vec![7],
            |item: u8| Ok(item),
            |item| {
                assert_eq!(item, 7);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
    }
}

//! `SendWrapper<T>`: a non-`Send` value that may be moved "between threads" on a target that has
//! only one. Same API as send_wrapper 0.6 (see Cargo.toml for why this stand-in exists).

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
compile_error!(
    "this send_wrapper stand-in is sound only on single-threaded wasm32; remove the patch for other targets"
);

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

/// A value marked `Send` and `Sync`: sound because the target has a single thread.
pub struct SendWrapper<T> {
    data: ManuallyDrop<T>,
}

// SAFETY: wasm32 without atomics runs one thread (checked above), so the value is never
// accessed, nor dropped, from a thread other than the one that made it.
unsafe impl<T> Send for SendWrapper<T> {}
unsafe impl<T> Sync for SendWrapper<T> {}

impl<T> SendWrapper<T> {
    pub fn new(data: T) -> SendWrapper<T> {
        SendWrapper { data: ManuallyDrop::new(data) }
    }

    /// Whether the value may be accessed here: always, on a single thread.
    pub fn valid(&self) -> bool {
        true
    }

    /// The wrapped value.
    pub fn take(self) -> T {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used again nor dropped, so the value is moved out once.
        unsafe { ManuallyDrop::take(&mut this.data) }
    }
}

impl<T> Deref for SendWrapper<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for SendWrapper<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}

impl<T> Drop for SendWrapper<T> {
    fn drop(&mut self) {
        // SAFETY: dropped once, here; `take` forgets the wrapper instead.
        unsafe { ManuallyDrop::drop(&mut self.data) }
    }
}

impl<T: fmt::Debug> fmt::Debug for SendWrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWrapper").field("data", self.deref()).finish()
    }
}

impl<T: Clone> Clone for SendWrapper<T> {
    fn clone(&self) -> Self {
        SendWrapper::new(self.deref().clone())
    }
}

#[cfg(feature = "futures")]
mod futures {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_core::Stream;

    use super::SendWrapper;

    impl<F: Future> Future for SendWrapper<F> {
        type Output = F::Output;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            // SAFETY: the wrapped future is pinned with its wrapper (structural pinning).
            unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll(cx)
        }
    }

    impl<S: Stream> Stream for SendWrapper<S> {
        type Item = S::Item;
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
            // SAFETY: as for `Future`.
            unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll_next(cx)
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            self.data.size_hint()
        }
    }
}

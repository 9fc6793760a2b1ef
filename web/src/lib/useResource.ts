// Load data for a page: state for loading / loaded / failed, keyed so that a change of
// key (a different meeting id) starts over, with reload and local replacement.
import { useCallback, useEffect, useEffectEvent, useState } from 'react';

export type Resource<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; error: unknown };

type Keyed<T> = { key: string; value: Resource<T> };

export function useResource<T>(load: () => Promise<T>, key: string) {
  const [nonce, setNonce] = useState(0);
  const fullKey = `${key}#${nonce}`;
  const [state, setState] = useState<Keyed<T>>({ key: '', value: { status: 'loading' } });
  const run = useEffectEvent(load);

  useEffect(() => {
    let live = true;
    run().then(
      (data) => {
        if (live) setState({ key: fullKey, value: { status: 'ready', data } });
      },
      (error: unknown) => {
        if (live) setState({ key: fullKey, value: { status: 'error', error } });
      },
    );
    return () => {
      live = false;
    };
  }, [fullKey]);

  const reload = useCallback(() => {
    setNonce((n) => n + 1);
  }, []);

  /** Replace the loaded data locally (after a mutation the server answered). */
  const replace = useCallback(
    (data: T) => {
      setState({ key: fullKey, value: { status: 'ready', data } });
    },
    [fullKey],
  );

  const resource: Resource<T> = state.key === fullKey ? state.value : { status: 'loading' };
  return { resource, reload, replace };
}

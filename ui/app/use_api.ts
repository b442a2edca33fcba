// A page's data: fetched on mount and whenever `key` changes or `refresh` is called; errors kept for display.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  refresh: () => void;
}

export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    get<T>(path)
      .then((body) => {
        if (!current) return;
        setData(body);
        setError(undefined);
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [path, generation]);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, refresh };
}

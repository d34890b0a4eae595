import { useEffect, useState } from 'preact/hooks';

/** The UI's routes live in the URL's hash (`#/collections/posts`): the server serves one document. */
export function useHashPath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return path;
}

function currentPath(): string {
  return location.hash.replace(/^#/, '') || '/';
}

/** Goes to a route of the UI. */
export function navigate(path: string): void {
  location.hash = path;
}

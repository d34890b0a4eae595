import type { ComponentChildren } from 'preact';

const LINKS: ReadonlyArray<readonly [string, string]> = [
  ['#/', 'Collections'],
  ['#/flow', 'Flow'],
  ['#/logs', 'Logs'],
  ['#/settings', 'Settings'],
  ['#/metrics', 'Metrics'],
];

/** Every signed-in page: the navigation (Flow among it) and the page's content. */
export function Layout(props: { path: string; onSignOut: () => void; children: ComponentChildren }) {
  const current = (href: string) =>
    href === '#/' ? props.path === '/' || props.path.startsWith('/collections') : `#${props.path}`.startsWith(href);
  return (
    <div class="shell">
      <nav aria-label="Main">
        <strong class="brand">Tandem</strong>
        {LINKS.map(([href, label]) => (
          <a key={href} href={href} aria-current={current(href) ? 'page' : undefined}>
            {label}
          </a>
        ))}
        <button type="button" class="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </nav>
      <main>{props.children}</main>
    </div>
  );
}

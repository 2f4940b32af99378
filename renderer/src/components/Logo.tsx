/** ScaleDesk's mark: three rising bars. The favicon (renderer/public/favicon.svg) draws the same. */
export function Logo({ size = 18 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect x="2" y="18" width="8" height="12" rx="2" />
      <rect x="12" y="10" width="8" height="20" rx="2" />
      <rect x="22" y="2" width="8" height="28" rx="2" />
    </svg>
  );
}

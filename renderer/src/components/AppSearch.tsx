import { useEffect, useRef } from 'react';

/** Filters the app list by name or namespace; Ctrl+K (or ⌘K) jumps here from anywhere. */
export function AppSearch({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="sidebar__search">
      <input
        ref={input}
        type="search"
        className="input sidebar__search-input"
        placeholder="Search apps  (Ctrl+K)"
        aria-label="Search apps"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onChange('');
        }}
      />
    </div>
  );
}

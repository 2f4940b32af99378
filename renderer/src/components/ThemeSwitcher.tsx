import { useStore } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';

/** Follows the OS unless the admin picks light or dark (a setting main keeps). */
export function ThemeSwitcher() {
  const theme = useStore((state) => state.settings?.theme ?? 'system');
  const save = useOperation('settings.set');
  return (
    <label className="theme-switcher">
      <span className="muted">Theme</span>
      <select
        className="select select--small"
        value={theme}
        disabled={save.pending}
        onChange={(event) =>
          void save.run({ theme: event.target.value as 'system' | 'light' | 'dark' })
        }
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

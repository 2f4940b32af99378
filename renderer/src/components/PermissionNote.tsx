import type { Permission } from '../../../shared/app-model';

/** Why a control is disabled, shown beside it (and its aria-describedby). */
export function PermissionNote({ id, permission }: { id: string; permission: Permission }) {
  if (permission.allowed) return null;
  return (
    <p id={id} className="permission-note">
      <span aria-hidden="true">🔒 </span>
      {permission.reason ?? 'You are not allowed to change this.'}
    </p>
  );
}

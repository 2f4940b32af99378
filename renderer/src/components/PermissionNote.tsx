import type { Permission } from '../../../shared/app-model';

/**
 * Why a control is disabled (denied), or that the cluster has not answered whether it is allowed
 * (unknown: the control stays usable and the cluster judges the change), shown beside it and
 * named by its aria-describedby. Nothing where it is allowed.
 */
export function PermissionNote({ id, permission }: { id: string; permission: Permission }) {
  if (permission.state === 'allowed') return null;
  if (permission.state === 'unknown') {
    return (
      <p id={id} className="permission-note permission-note--unknown">
        {permission.reason ?? 'Not checked yet whether you may change this.'}
      </p>
    );
  }
  return (
    <p id={id} className="permission-note">
      <svg className="permission-note__icon" viewBox="0 0 16 16" aria-hidden="true">
        <rect x="3" y="7" width="10" height="7" rx="1.5" />
        <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" strokeWidth="1.6" />
      </svg>
      {permission.reason ?? 'You are not allowed to change this.'}
    </p>
  );
}

import type { Process } from '../../../shared/app-model';
import { gitOpsNotice } from '../../../shared/count-owner';

/**
 * Before saving a change to a workload Argo CD or Flux manages: the change is allowed (the
 * kubectl command is shown as usual), and the admin is told it will not last past the next sync
 * unless it is made in git too. Nothing where no GitOps controller was seen.
 */
export function GitOpsNotice({ process }: { process: Pick<Process, 'name' | 'managedBy'> }) {
  if (process.managedBy === null) return null;
  return (
    <p className="gitops-notice" role="note" title={`Seen from its ${process.managedBy.evidence}`}>
      {gitOpsNotice(process.name, process.managedBy)}
    </p>
  );
}

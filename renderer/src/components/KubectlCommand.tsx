import { Fragment, useEffect, useState } from 'react';
import './KubectlCommand.css';

/** The same change from a terminal, with a copy button. */
export function KubectlCommand({
  command,
  label = 'From a terminal',
}: {
  command: string;
  label?: string;
}) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 1600);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div className="kubectl-command">
      <span className="kubectl-command__label">{label}</span>
      <code className="kubectl-command__text" data-testid="kubectl-command">
        {/* Lines break between words only: "forecast-web" or "--replicas=4" never split. */}
        {command.split(' ').map((word, index) => (
          <Fragment key={index}>
            {index > 0 && ' '}
            <span className="kubectl-command__word">{word}</span>
          </Fragment>
        ))}
      </code>
      <button
        type="button"
        className="button button--small button--quiet"
        onClick={() => void copy()}
        aria-label={`Copy command: ${command}`}
      >
        {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Select and copy' : 'Copy'}
      </button>
    </div>
  );
}

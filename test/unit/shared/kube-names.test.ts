import { describe, expect, it } from 'vitest';
import {
  APP_NAME_RULE,
  CONTEXT_NAME_MAX,
  CONTEXT_NAME_RULE,
  isAppName,
  isContextName,
  isLabelKey,
  isNamespaceName,
  isProcessName,
  NAMESPACE_NAME_RULE,
  PROCESS_NAME_RULE,
} from '../../../shared/kube-names';
import { operations, SettingsChangeSchema, SettingsSchema } from '../../../shared/contract';

/** Names that would be another path, or nothing, once put in a URL path. */
const PATH_BREAKING = ['..', '.', 'a/b', '%2e%2e', 'kube-system/../x', '../kube-system', 'a?b'];

describe('namespace names: DNS-1123 labels, since they go into URL paths', () => {
  it.each(['demo', 'kube-system', 'apps-01', 'a', '0', 'a'.repeat(63)])('takes %s', (name) => {
    expect(isNamespaceName(name)).toBe(true);
  });

  it.each([
    ...PATH_BREAKING,
    '',
    'Demo',
    '-demo',
    'demo-',
    'de_mo',
    'de.mo',
    ' demo',
    'demo\n',
    'démo',
    'a'.repeat(64),
    'a'.repeat(300),
  ])('refuses %j', (name) => {
    expect(isNamespaceName(name)).toBe(false);
  });
});

describe("app names: a grouping label's value, or a workload's own name", () => {
  it.each([
    'sales-dash',
    'Sales_Dash',
    'v1.2',
    'a',
    'a'.repeat(63),
    // A workload on its own is named after itself: a DNS-1123 subdomain, past 63 characters.
    `${'a'.repeat(63)}.${'b'.repeat(63)}`,
  ])('takes %s', (name) => {
    expect(isAppName(name)).toBe(true);
  });

  it.each([...PATH_BREAKING, '', '-x', 'x.', '_x', 'a b', 'A'.repeat(64), 'a'.repeat(254)])(
    'refuses %j',
    (name) => {
      expect(isAppName(name)).toBe(false);
    },
  );
});

describe('label keys: the grouping label setting', () => {
  it.each(['app.kubernetes.io/part-of', 'team.example.com/app', 'app', 'Team_App'])(
    'takes %s',
    (key) => {
      expect(isLabelKey(key)).toBe(true);
    },
  );

  it.each(['', 'team.example.com/', '/app', 'Team.Example.com/app', 'a/b/c', 'app-', 'a b'])(
    'refuses %j',
    (key) => {
      expect(isLabelKey(key)).toBe(false);
    },
  );
});

describe('process names: a component label value, or an unlabelled Deployment name', () => {
  it.each([
    'web',
    'Worker_2',
    'celery.beat',
    // A Deployment name past the 63 characters of a label value, still a DNS-1123 subdomain.
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}`,
  ])('takes %s', (name) => {
    expect(isProcessName(name)).toBe(true);
  });

  it.each([...PATH_BREAKING, '', 'web-', 'web_', 'A'.repeat(64), 'a'.repeat(254)])(
    'refuses %j',
    (name) => {
      expect(isProcessName(name)).toBe(false);
    },
  );
});

describe('context names: kubeconfig keys, free text but bounded', () => {
  it.each([
    'sandbox',
    'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
    'team-a/api-prod-example-com:6443/alice@example.com',
    'gke_project_europe-west1_prod',
    'mön kontext ✓',
    '..',
    'x'.repeat(CONTEXT_NAME_MAX),
  ])('takes %j', (name) => {
    expect(isContextName(name)).toBe(true);
  });

  it.each([
    '',
    'x'.repeat(CONTEXT_NAME_MAX + 1),
    'prod\n',
    'pr\u0000od',
    '\u007f',
    '\u0085',
    'lone \ud800 surrogate',
    'lone \udc00 low',
  ])('refuses %j', (name) => {
    expect(isContextName(name)).toBe(false);
  });
});

describe('the contract checks each name by its rule before anything is sent or saved', () => {
  const connect = operations['cluster.connect'].input;
  const setReplicas = operations['process.setReplicas'].input;
  const restart = operations['app.restart'].input;

  it.each(PATH_BREAKING)('cluster.connect refuses the namespace %j with the rule', (namespace) => {
    const parsed = connect.safeParse({ context: 'sandbox', namespace });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['namespace'], message: NAMESPACE_NAME_RULE }),
    ]);
  });

  it('cluster.connect takes a namespace, or null for all of them, and any kubeconfig context', () => {
    expect(connect.safeParse({ context: '..', namespace: 'demo' }).success).toBe(true);
    expect(connect.safeParse({ context: 'sandbox', namespace: null }).success).toBe(true);
    const badContext = connect.safeParse({ context: 'a\nb', namespace: 'demo' });
    expect(badContext.error?.issues[0]?.message).toBe(CONTEXT_NAME_RULE);
  });

  it('names the rule for a wrong type too, so the refusal says what the field is', () => {
    const parsed = connect.safeParse({ context: 'sandbox', namespace: 42 });
    expect(parsed.error?.issues[0]?.message).toBe(NAMESPACE_NAME_RULE);
  });

  it('checks the app and the process of an operation by their own rules', () => {
    const input = { namespace: 'demo', app: 'sales-dash', process: 'web', replicas: 2 };
    expect(setReplicas.safeParse(input).success).toBe(true);
    expect(setReplicas.safeParse({ ...input, app: '../x' }).error?.issues[0]?.message).toBe(
      APP_NAME_RULE,
    );
    expect(setReplicas.safeParse({ ...input, process: 'a/b' }).error?.issues[0]?.message).toBe(
      PROCESS_NAME_RULE,
    );
    expect(restart.safeParse({ namespace: 'demo', app: 'sales-dash', process: '.' }).success).toBe(
      false,
    );
  });

  it('bounds the activity id an undo looks up', () => {
    const undo = operations['activity.undo'].input;
    expect(undo.safeParse({ id: crypto.randomUUID() }).success).toBe(true);
    expect(undo.safeParse({ id: 'x'.repeat(129) }).success).toBe(false);
  });
});

describe('the remembered namespace in the settings', () => {
  it.each(['..', '.', 'a/b', 'Demo'])('cannot be saved as %j', (lastNamespace) => {
    const parsed = SettingsChangeSchema.safeParse({ lastNamespace });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(NAMESPACE_NAME_RULE);
  });

  it('is a namespace name, or null for all namespaces, when read back', () => {
    expect(SettingsSchema.shape.lastNamespace.safeParse('demo').success).toBe(true);
    expect(SettingsSchema.shape.lastNamespace.safeParse(null).success).toBe(true);
    expect(SettingsSchema.shape.lastNamespace.safeParse('..').success).toBe(false);
  });

  it('keeps the last context a bounded kubeconfig key', () => {
    expect(SettingsChangeSchema.safeParse({ lastContext: 'arn:aws:eks:x' }).success).toBe(true);
    expect(SettingsChangeSchema.safeParse({ lastContext: 'x'.repeat(2000) }).success).toBe(false);
  });
});

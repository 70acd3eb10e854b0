// The GraphiQL playground page. The Go handler writes the page's settings
// into a JSON block of the HTML (see internal/playground), so this bundle
// stays the same for every server and needs no inline script.
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import { exampleTab } from './examples.js';
import { introspectionOptions } from './introspection.js';
import './page.css';
import { createPlaygroundFetcher } from './subscriptions.js';

/* global PAGE_WORKER_FILES */

const settings = JSON.parse(document.getElementById('page-settings').textContent);

// Monaco runs its language services in workers; the build names their files
// and they are served next to this module.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = PAGE_WORKER_FILES[label] ?? PAGE_WORKER_FILES.editor;
    return new Worker(new URL(file, import.meta.url));
  },
};

const fetcher = createPlaygroundFetcher(settings.endpoint, window.location);

const examples = settings.examples ?? [];
createRoot(document.getElementById('page')).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={examples.length > 0 ? examples.map(exampleTab) : undefined}
    {...introspectionOptions}
  />,
);

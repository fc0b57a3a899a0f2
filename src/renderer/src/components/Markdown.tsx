/**
 * Renders Markdown with react-markdown under the policy of lib/markdown.ts: React elements only
 * (text goes through React's own escaping), GFM, safe links, code blocks with a copy button.
 * Headings start at h3: a reply sits inside a page that has its own h1/h2.
 */
import { memo, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import { markdownUrlTransform, REMARK_PLUGINS, safeHref } from '../lib/markdown.js';
import { CodeBlock } from './CodeBlock.js';

interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

function textOf(node: HastNode | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

function link(href: string | undefined, children: ReactNode): ReactNode {
  const safe = href ? safeHref(href) : null;
  if (!safe) return <>{children}</>;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

const shifted = (Tag: 'h3' | 'h4' | 'h5' | 'h6'): Components['h1'] =>
  function Heading({ children }) {
    return <Tag>{children}</Tag>;
  };

const COMPONENTS: Components = {
  a: ({ href, children }) => link(href, children),
  // An image would make the page fetch whatever a reply names: it shows as a link instead.
  img: ({ src, alt }) => link(typeof src === 'string' ? src : undefined, alt || (typeof src === 'string' ? src : 'image')),
  h1: shifted('h3'),
  h2: shifted('h4'),
  h3: shifted('h5'),
  h4: shifted('h6'),
  h5: shifted('h6'),
  h6: shifted('h6'),
  pre: ({ node }) => {
    const code = (node as HastNode | undefined)?.children?.find((c) => c.type === 'element' && c.tagName === 'code');
    const classes = code?.properties?.className;
    const lang = (Array.isArray(classes) ? classes : []).map(String).find((c) => c.startsWith('language-'))?.slice('language-'.length) ?? '';
    // The fence's text without the newline CommonMark keeps before the closing fence.
    return <CodeBlock code={textOf(code).replace(/\n$/, '')} lang={lang} />;
  },
  table: ({ children }) => (
    <div className="md-table-wrap">
      <table>{children}</table>
    </div>
  ),
};

export const Markdown = memo(function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} urlTransform={markdownUrlTransform} components={COMPONENTS}>
        {source}
      </ReactMarkdown>
    </div>
  );
});

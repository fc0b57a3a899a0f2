/**
 * Renders parsed Markdown as React elements. Text goes through React's own escaping; there is no
 * dangerouslySetInnerHTML anywhere in the dashboard.
 */
import { memo, useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from '../lib/markdown.js';
import { CodeBlock } from './CodeBlock.js';

function renderInline(nodes: Inline[], keyPrefix = ''): ReactNode[] {
  return nodes.map((n, i) => {
    const key = `${keyPrefix}${i}`;
    switch (n.t) {
      case 'text':
        return n.v;
      case 'code':
        return <code key={key}>{n.v}</code>;
      case 'strong':
        return <strong key={key}>{renderInline(n.c, `${key}.`)}</strong>;
      case 'em':
        return <em key={key}>{renderInline(n.c, `${key}.`)}</em>;
      case 'del':
        return <del key={key}>{renderInline(n.c, `${key}.`)}</del>;
      case 'br':
        return <br key={key} />;
      case 'link':
        return (
          <a key={key} href={n.href} target="_blank" rel="noopener noreferrer">
            {renderInline(n.c, `${key}.`)}
          </a>
        );
    }
  });
}

function renderBlocks(blocks: Block[], keyPrefix = ''): ReactNode[] {
  return blocks.map((b, i) => {
    const key = `${keyPrefix}${i}`;
    switch (b.t) {
      case 'p':
        return <p key={key}>{renderInline(b.c)}</p>;
      case 'h': {
        const Tag = `h${Math.min(6, b.level + 2)}` as 'h3' | 'h4' | 'h5' | 'h6';
        return <Tag key={key}>{renderInline(b.c)}</Tag>;
      }
      case 'code':
        return <CodeBlock key={key} code={b.v} lang={b.lang} />;
      case 'hr':
        return <hr key={key} />;
      case 'quote':
        return <blockquote key={key}>{renderBlocks(b.c, `${key}.`)}</blockquote>;
      case 'list': {
        const items = b.items.map((item, k) => <li key={k}>{renderListItem(item, `${key}.${k}.`)}</li>);
        return b.ordered ? (
          <ol key={key} start={b.start}>
            {items}
          </ol>
        ) : (
          <ul key={key}>{items}</ul>
        );
      }
      case 'table':
        return (
          <div className="md-table-wrap" key={key}>
            <table>
              <thead>
                <tr>
                  {b.head.map((h, k) => (
                    <th key={k} style={b.align[k] ? { textAlign: b.align[k]! } : undefined}>
                      {renderInline(h)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.map((row, r) => (
                  <tr key={r}>
                    {row.map((cell, k) => (
                      <td key={k} style={b.align[k] ? { textAlign: b.align[k]! } : undefined}>
                        {renderInline(cell)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
    }
  });
}

/** A tight list item (one paragraph) renders without a <p> so lists stay compact. */
function renderListItem(blocks: Block[], keyPrefix: string): ReactNode[] {
  if (blocks.length === 1 && blocks[0]!.t === 'p') return renderInline(blocks[0]!.c);
  return renderBlocks(blocks, keyPrefix);
}

export const Markdown = memo(function Markdown({ source }: { source: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className="markdown">{renderBlocks(blocks)}</div>;
});

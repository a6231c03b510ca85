import type { GatewayContext } from './context.ts';
import { SubgraphSource, type FetchOptions } from './engine/subgraph-source.ts';
import { subgraphHeaders, type HeaderRules } from './header-rules.ts';

/**
 * A subgraph source that sends the rules' headers with every fetch of a client request.
 * The source sets Plaza's own headers after these, so none of them can be overridden.
 */
export class HeaderRulesSubgraphSource extends SubgraphSource {
  private readonly subgraph: string;

  constructor(
    options: ConstructorParameters<typeof SubgraphSource>[0],
    private readonly rules: HeaderRules,
  ) {
    super(options);
    this.subgraph = options.name;
  }

  override async process(options: FetchOptions) {
    const client = (options.context as GatewayContext | undefined)?.ruleHeaders;
    if (!client) return super.process(options);
    const headers = subgraphHeaders(this.rules, this.subgraph, client);
    if (!headers.length) return super.process(options);
    const http = { method: 'POST', url: '', ...options.request.http, headers: new Headers(headers) };
    return super.process({ ...options, request: { ...options.request, http } });
  }
}

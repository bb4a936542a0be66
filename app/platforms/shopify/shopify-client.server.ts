import type { PlatformClient, StoreCounts } from "../platform-client";
import { AdminGraphql, type AdminGraphqlOptions } from "./admin-graphql.server";
import { STORE_COUNTS_QUERY, type StoreCountsResult } from "./operations/store-counts";

export class ShopifyClient implements PlatformClient {
  readonly platform = "shopify" as const;
  private readonly graphql: AdminGraphql;

  constructor(options: AdminGraphqlOptions) {
    this.graphql = new AdminGraphql(options);
  }

  async storeCounts(): Promise<StoreCounts> {
    const data = await this.graphql.request<StoreCountsResult>(STORE_COUNTS_QUERY, undefined, 2);
    return { customers: data.customersCount.count, orders: data.ordersCount.count };
  }
}

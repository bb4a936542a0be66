import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { type SecretBox } from "./crypto.server";

/**
 * Wraps a session storage so access and refresh tokens are stored sealed with AES-256-GCM and
 * opened only in memory. The wrapped storage (Prisma) never sees a token in clear.
 */
export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly box: SecretBox,
  ) {}

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.transform(session, (v) => this.box.seal(v)));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const stored = await this.inner.loadSession(id);
    return stored && this.transform(stored, (v) => this.box.open(v));
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const sessions = await this.inner.findSessionsByShop(shop);
    return sessions.map((s) => this.transform(s, (v) => this.box.open(v)));
  }

  private transform(session: Session, fn: (value: string) => string): Session {
    const copy = new Session({ ...session.toObject() });
    if (session.accessToken) copy.accessToken = fn(session.accessToken);
    if (session.refreshToken) copy.refreshToken = fn(session.refreshToken);
    return copy;
  }
}

/**
 * The notification port: a plan's "tell the residents / the duty officer" step, sent through a
 * channel chosen by name (`webhook`, `log`, later SMS or e-mail gateways). Which channels exist is
 * a deployment setting, so a plan naming a channel this city does not have must not crash a case:
 * the registry reports it as undelivered and the caller shows it to the operator.
 */

export interface Notification {
  /** The name of the channel to send through, as registered. */
  readonly channel: string;
  /** A logical recipient ("district-duty-office"); each channel maps it to an address. */
  readonly to: string;
  readonly message: string;
  readonly caseId: string | null;
  /**
   * Stable for one notification of one case (for example the plan action's key and the case),
   * so a receiver can drop the duplicates that retries may cause.
   */
  readonly key: string;
}

export interface NotifyResult {
  readonly delivered: boolean;
  /** Why not, or what the receiver said; never a secret or a full URL. */
  readonly detail: string | null;
}

export interface NotifyChannel {
  readonly name: string;
  /** Reports failure in the result; a channel should not throw (the registry guards it anyway). */
  send(n: Notification): Promise<NotifyResult>;
}

export class NotifierRegistry {
  readonly #channels = new Map<string, NotifyChannel>();

  constructor(channels: readonly NotifyChannel[] = []) {
    for (const c of channels) this.register(c);
  }

  /** Two channels under one name is a configuration mistake, refused at start-up. */
  register(channel: NotifyChannel): this {
    if (this.#channels.has(channel.name)) throw new Error(`notification channel ${JSON.stringify(channel.name)} is registered twice`);
    this.#channels.set(channel.name, channel);
    return this;
  }

  has(name: string): boolean {
    return this.#channels.has(name);
  }

  names(): string[] {
    return [...this.#channels.keys()].sort();
  }

  async send(n: Notification): Promise<NotifyResult> {
    const channel = this.#channels.get(n.channel);
    if (!channel) {
      return { delivered: false, detail: `unknown channel ${JSON.stringify(n.channel)} (registered: ${this.names().join(', ') || 'none'})` };
    }
    try {
      return await channel.send(n);
    } catch (err) {
      return { delivered: false, detail: `channel ${n.channel} failed: ${(err as Error)?.message ?? String(err)}` };
    }
  }
}

const {randomUUID} = require('node:crypto');

/** An in-memory user store with a time-to-live cache sweep, like many real services have. */
class UserStore {
  constructor({ttlMs = 60_000} = {}) {
    this.users = new Map();
    this.ttlMs = ttlMs;
    this.sweeper = undefined;
  }

  /** Starts the periodic expiry sweep; call stop() when done. */
  start() {
    this.sweeper = setInterval(() => this.sweep(), 1_000);
    return this;
  }

  stop() {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  sweep(now = Date.now()) {
    for (const [id, user] of this.users) if (now - user.createdAt > this.ttlMs) this.users.delete(id);
  }

  async add({name}) {
    const user = {id: randomUUID().slice(0, 8), name, createdAt: Date.now()};
    this.users.set(user.id, user);
    return user;
  }

  async get(id) {
    return this.users.get(id);
  }
}

module.exports = {UserStore};

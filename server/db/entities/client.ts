import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An OIDC client (relying party). `metadata` is its registration metadata as JSON. */
@Entity('clients')
export class Client {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id: string;

  @Column({ type: 'text' })
  metadata: string;

  /** First-party clients skip the consent page. */
  @Column({ name: 'first_party', type: 'boolean', default: false })
  firstParty: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

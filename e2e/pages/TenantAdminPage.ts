// The tenant admin page /tenants/:tenantId/manage: members with their roles, the role catalogue,
// and the invitations section (issue an invitation, its link shown once, status, revoke).
import { expect, type Locator, type Page } from '@playwright/test';
import { LoginPage } from './LoginPage.js';

export class TenantAdminPage {
  readonly heading: Locator;
  readonly notice: Locator;
  readonly error: Locator;
  readonly members: Locator;
  readonly catalogue: Locator;
  readonly newRoleName: Locator;
  readonly newRoleDescription: Locator;
  readonly addRoleButton: Locator;
  /** The "Create invitation" form and its fields. */
  readonly issueForm: Locator;
  readonly inviteDays: Locator;
  readonly inviteUses: Locator;
  readonly inviteEmail: Locator;
  readonly createInvitationButton: Locator;
  /** The readonly field showing a new link, once, right after it was created. */
  readonly issuedLink: Locator;
  /** The invitations table's rows, newest first. */
  readonly invitations: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.notice = page.getByRole('status');
    this.error = page.getByRole('alert');
    this.members = page.locator('table.members tbody tr');
    this.catalogue = page.locator('ul.roles > li');
    this.newRoleName = page.getByLabel('New role', { exact: true });
    this.newRoleDescription = page.getByLabel('Description (optional)', { exact: true });
    this.addRoleButton = page.getByRole('button', { name: 'Add role', exact: true });
    this.issueForm = page.getByRole('form', { name: 'Create invitation', exact: true });
    this.inviteDays = page.getByLabel('Valid for (days)', { exact: true });
    this.inviteUses = page.getByLabel('Number of people who may use it', { exact: true });
    this.inviteEmail = page.getByLabel('E-mail address (optional)', { exact: true });
    this.createInvitationButton = page.getByRole('button', { name: 'Create invitation', exact: true });
    this.issuedLink = page.getByLabel('Invitation link', { exact: true });
    this.invitations = page.locator('table.invitations tbody tr');
  }

  static path(tenantId: string): string {
    return `/tenants/${tenantId}/manage`;
  }

  /** Opens the page; without a session the browser is sent to sign in first, so this does not wait for it. */
  async open(tenantId: string): Promise<void> {
    await this.page.goto(TenantAdminPage.path(tenantId));
  }

  /** Opens the page in a browser without a session: signs in as `person` on the way, then expects the page. */
  async openSignedIn(
    tenant: { id: string; name: string; slug: string },
    person: { email: string; password: string },
  ): Promise<void> {
    await this.open(tenant.id);
    const login = new LoginPage(this.page);
    await login.expectShown('Tessera');
    await login.signIn(person.email, person.password);
    await this.expectShown(tenant);
  }

  async expectShown(tenant: { id: string; name: string; slug: string }): Promise<void> {
    await expect(this.page).toHaveURL(new RegExp(`${TenantAdminPage.path(tenant.id)}(\\?.*)?$`));
    await expect(this.heading).toHaveText(tenant.name);
    await expect(this.page.getByText(`Organisation · ${tenant.slug}`)).toBeVisible();
  }

  /** The form holding one member's role checkboxes and "Save roles" (named "Roles of <name>"). */
  rolesOf(memberName: string): Locator {
    return this.page.getByRole('form', { name: `Roles of ${memberName}`, exact: true });
  }

  roleCheckbox(memberName: string, role: string): Locator {
    return this.rolesOf(memberName).getByRole('checkbox', { name: role, exact: true });
  }

  /** Ticks exactly `roles` for the member and presses "Save roles". */
  async setRoles(memberName: string, roles: string[]): Promise<void> {
    const form = this.rolesOf(memberName);
    for (const checkbox of await form.getByRole('checkbox').all()) {
      const role = (await checkbox.getAttribute('value'))!;
      await checkbox.setChecked(roles.includes(role));
    }
    await form.getByRole('button', { name: 'Save roles', exact: true }).click();
  }

  /** The roles ticked for a member, in page order. */
  async rolesTicked(memberName: string): Promise<string[]> {
    const ticked: string[] = [];
    for (const checkbox of await this.rolesOf(memberName).getByRole('checkbox').all()) {
      if (await checkbox.isChecked()) ticked.push((await checkbox.getAttribute('value'))!);
    }
    return ticked;
  }

  removeMemberButton(memberName: string): Locator {
    return this.page.getByRole('button', { name: `Remove ${memberName}`, exact: true });
  }

  async addRole(name: string, description?: string): Promise<void> {
    await this.newRoleName.fill(name);
    if (description !== undefined) await this.newRoleDescription.fill(description);
    await this.addRoleButton.click();
  }

  async expectNotice(text: string): Promise<void> {
    await expect(this.notice).toHaveText(text);
  }

  /** The "Roles to grant" checkbox of a role in the "Create invitation" form. */
  inviteRole(role: string): Locator {
    return this.issueForm
      .getByRole('group', { name: 'Roles to grant' })
      .getByRole('checkbox', { name: role, exact: true });
  }

  /** Fills "Create invitation" (only what is given; the rest keeps its defaults) and submits it. */
  async createInvitation({
    roles,
    days,
    uses,
    email,
    accessDays,
  }: {
    roles?: string[];
    days?: number;
    uses?: number;
    email?: string;
    /** How many days the access it gives lasts (empty: no end). */
    accessDays?: number;
  }): Promise<void> {
    if (roles) {
      for (const checkbox of await this.issueForm.getByRole('checkbox').all()) {
        await checkbox.setChecked(roles.includes((await checkbox.getAttribute('value'))!));
      }
    }
    if (days !== undefined) await this.inviteDays.fill(String(days));
    if (uses !== undefined) await this.inviteUses.fill(String(uses));
    if (email !== undefined) await this.inviteEmail.fill(email);
    if (accessDays !== undefined) await this.issueForm.getByLabel('Access lasts (days)').fill(String(accessDays));
    await this.createInvitationButton.click();
  }

  /** The row of the invitation for an address (or "anyone with the link"), newest first. */
  invitationFor(who: string): Locator {
    return this.invitations.filter({ has: this.page.getByRole('cell', { name: who, exact: true }) });
  }

  /** The status shown in an invitation's row: "pending", "accepted", "revoked", "used up"… */
  invitationStatus(row: Locator): Locator {
    return row.locator('.status');
  }

  approveButton(row: Locator): Locator {
    return row.getByRole('button', { name: 'Approve', exact: true });
  }

  /** The "Invitation policy" form: ticks exactly `approval` among the roles that need another admin's approval. */
  async requireApprovalFor(approval: string[]): Promise<void> {
    const group = this.page.getByRole('group', {
      name: "Invitations granting these roles need another admin's approval",
    });
    for (const checkbox of await group.getByRole('checkbox').all())
      await checkbox.setChecked(approval.includes((await checkbox.getAttribute('value'))!));
    await this.page.getByRole('button', { name: 'Save the invitation policy', exact: true }).click();
  }

  revokeButton(row: Locator): Locator {
    return row.getByRole('button', { name: 'Revoke', exact: true });
  }

  /** The form of one role's permissions of one API resource ("Permissions of <role> in <resource>"). */
  permissionsOf(role: string, resource: string): Locator {
    return this.page.getByRole('form', { name: `Permissions of ${role} in ${resource}`, exact: true });
  }

  permissionCheckbox(role: string, resource: string, permission: string): Locator {
    return this.permissionsOf(role, resource).getByRole('checkbox', { name: permission, exact: true });
  }

  /** Ticks exactly `permissions` for the role and presses its "Save permissions of <role>". */
  async setPermissions(role: string, resource: string, permissions: string[]): Promise<void> {
    const form = this.permissionsOf(role, resource);
    for (const checkbox of await form.getByRole('checkbox').all()) {
      await checkbox.setChecked(permissions.includes((await checkbox.getAttribute('value'))!));
    }
    await form.getByRole('button', { name: `Save permissions of ${role}`, exact: true }).click();
  }

  /** The permissions ticked for a role, in page order. */
  async permissionsTicked(role: string, resource: string): Promise<string[]> {
    const ticked: string[] = [];
    for (const checkbox of await this.permissionsOf(role, resource).getByRole('checkbox').all()) {
      if (await checkbox.isChecked()) ticked.push((await checkbox.getAttribute('value'))!);
    }
    return ticked;
  }
}

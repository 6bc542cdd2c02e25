// The tenant admin page /tenants/:tenantId/manage: members with their roles, the role catalogue.
import { expect, type Locator, type Page } from '@playwright/test';

export class TenantAdminPage {
  readonly heading: Locator;
  readonly notice: Locator;
  readonly error: Locator;
  readonly members: Locator;
  readonly catalogue: Locator;
  readonly newRoleName: Locator;
  readonly newRoleDescription: Locator;
  readonly addRoleButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.notice = page.getByRole('status');
    this.error = page.getByRole('alert');
    this.members = page.locator('table.members tbody tr');
    this.catalogue = page.locator('ul.roles > li');
    this.newRoleName = page.getByLabel('New role', { exact: true });
    this.newRoleDescription = page.getByLabel('Description (optional)', { exact: true });
    this.addRoleButton = page.getByRole('button', { name: 'Add role', exact: true });
  }

  static path(tenantId: string): string {
    return `/tenants/${tenantId}/manage`;
  }

  /** Opens the page; without a session the browser is sent to sign in first, so this does not wait for it. */
  async open(tenantId: string): Promise<void> {
    await this.page.goto(TenantAdminPage.path(tenantId));
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
}

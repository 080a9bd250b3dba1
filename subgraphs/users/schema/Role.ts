import { registerEnumType } from 'type-graphql';

/** The values are the strings stored in users.role and carried in tokens (platform/auth/identity.ts). */
export enum Role {
  CUSTOMER = 'CUSTOMER',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do: shop (CUSTOMER) or also run the shop (ADMIN)',
});

import { registerEnumType } from 'type-graphql';
import { PaymentStatus } from '../domain/PaymentStatus';

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

export { PaymentStatus };

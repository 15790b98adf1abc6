import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const NAME = 'ExclusiveAssigner';
const VERSION = 1;

/**
 * Gives every partition to one member of the group, the one that started first; the others wait
 * as warm standbys and the next oldest takes over when it leaves. For a processor that decides
 * from state it keeps in memory (the matcher's own registrations not yet read back from the log),
 * so that two replicas never decide side by side. A member that joins later leaves the current
 * one in place.
 */
export function exclusiveAssigner(startedAt: number): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: VERSION,
    protocol: ({ topics }) => ({
      name: NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: VERSION,
        topics,
        userData: Buffer.from(String(startedAt)),
      }),
    }),
    async assign({ members, topics }) {
      const startOf = (metadata: Buffer) =>
        Number(AssignerProtocol.MemberMetadata.decode(metadata)?.userData.toString() || Infinity);
      const [active, ...standby] = [...members].sort(
        (a, b) =>
          startOf(a.memberMetadata) - startOf(b.memberMetadata) ||
          a.memberId.localeCompare(b.memberId),
      );
      if (!active) return [];
      const all = Object.fromEntries(
        topics.map((topic) => [
          topic,
          cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId),
        ]),
      );
      const assignment = (partitions: Record<string, number[]>) =>
        AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment: partitions,
          userData: Buffer.alloc(0),
        });
      return [
        { memberId: active.memberId, memberAssignment: assignment(all) },
        ...standby.map(({ memberId }) => ({ memberId, memberAssignment: assignment({}) })),
      ];
    },
  });
}

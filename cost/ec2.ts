// EC2: instance hours, the EBS volumes billed for the whole month, and public IPv4 addresses.
import { Estimator, type GraphResource, fmt, usd, str, num, list, read } from "./core";
import { EBS_VOLUMES, EC2_INSTANCES, HOURS_PER_MONTH, VPC_PRICES } from "./prices";

export function ec2(e: Estimator, r: GraphResource): void {
  const type = str(read(r.props, "instanceType"));
  const p = type ? EC2_INSTANCES[type] : undefined;
  const hours = Math.min(e.usage.ec2HoursPerMonth, HOURS_PER_MONTH);
  if (p && type) {
    const cost = hours * p.usd;
    e.add(
      r,
      "EC2 instance hours",
      `1 × ${type} × ${fmt(hours)} h × ${usd(p)}/h`,
      { instances: 1, instanceType: type, hoursPerMonth: hours, usdPerHour: p.usd },
      cost,
      cost,
    );
  } else {
    e.unpricedInstance(r, "EC2", type);
  }
  // EBS volumes are billed for the whole month, whether the instance runs or is stopped. A root
  // volume without a size takes the AMI's (8 GB for Amazon Linux).
  const volumes: [string, unknown][] = [["root volume", read(r.props, "rootBlockDevice") ?? {}]];
  list(read(r.props, "ebsBlockDevices")).forEach((v, i) =>
    volumes.push([`EBS volume ${i + 1}`, v]),
  );
  for (const [item, v] of volumes) volume(e, r, item, v, "volumeSize", "volumeType");
}

/** An EBS volume, billed for the whole month: a device of an instance, or a standalone volume. */
export function volume(
  e: Estimator,
  r: GraphResource,
  item: string,
  v: unknown,
  sizeKey: string,
  typeKey = "type",
): void {
  const gb = num(read(v, sizeKey)) ?? 8;
  const volumeType = str(read(v, typeKey)) ?? "gp3";
  const vp = EBS_VOLUMES[volumeType];
  if (!vp) {
    e.noPrice(
      r,
      `EBS volume type ${volumeType} (${item})`,
      `${r.name}: no price for EBS volume type ${volumeType}; ${item} left out of the estimate`,
    );
    return;
  }
  e.add(
    r,
    `EBS ${item} (${volumeType})`,
    `${fmt(gb)} GB × ${usd(vp)}/GB-month`,
    { volumeGb: gb, volumeType, usdPerGbMonth: vp.usd },
    gb * vp.usd,
    gb * vp.usd,
  );
}

/** A public IPv4 address, billed by the hour. */
export function eip(e: Estimator, r: GraphResource): void {
  const p = VPC_PRICES.publicIpv4Hour;
  e.add(
    r,
    "public IPv4 address",
    `1 address × ${HOURS_PER_MONTH} h × ${usd(p)}/h`,
    { addresses: 1, hoursPerMonth: HOURS_PER_MONTH, usdPerHour: p.usd },
    HOURS_PER_MONTH * p.usd,
    HOURS_PER_MONTH * p.usd,
  );
}

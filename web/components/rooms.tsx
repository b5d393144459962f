import { useEffect, useState } from "preact/hooks";
import type { Room } from "../../sdk/index";
import { client, error, openChannel, refreshChannels } from "../store";

/** Public rooms: discover, join, create. */
export function Rooms() {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [name, setName] = useState("");
  const load = () => client.value!.rooms({ limit: 100 }).then((r) => setRooms(r.rooms), (err) => (error.value = err.message));
  useEffect(() => void load(), []);

  const open = async (room: Room) => {
    try {
      if (!room.is_member) await client.value!.joinRoom(room.id);
      await refreshChannels();
      await openChannel(room.id);
    } catch (err) {
      error.value = (err as Error).message;
    }
  };

  return (
    <section class="rooms" aria-label="Rooms">
      <h1>Rooms</h1>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await client.value!.createGroup(name.trim(), [], "room");
            setName("");
            await load();
          } catch (err) {
            error.value = (err as Error).message;
          }
        }}
      >
        <label>
          New room name <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <button type="submit">Create room</button>
      </form>
      {rooms === null ? (
        <p class="muted">Loading…</p>
      ) : rooms.length === 0 ? (
        <p class="muted">No public rooms yet.</p>
      ) : (
        <ul class="room-list">
          {rooms.map((room) => (
            <li key={room.id}>
              <span class="room-name"># {room.name}</span>
              <span class="muted">{room.member_count} member{room.member_count === 1 ? "" : "s"}</span>
              <button type="button" onClick={() => void open(room)} aria-label={`${room.is_member ? "Open" : "Join"} ${room.name}`}>
                {room.is_member ? "Open" : "Join"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

"""Names for synthetic students and staff, and staff work emails.

Drawn from their own random stream (seeded from the district seed), so adding names changed no
other column of the synthetic district. The lists mix names common in California's schools;
they are invented people: any likeness is chance.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIRST = ("Maria", "Jose", "Sofia", "Daniel", "Emily", "Anthony", "Isabella", "Ethan", "Camila",
         "Noah", "Mia", "Liam", "Valeria", "Jayden", "Olivia", "Mateo", "Ava", "Aiden", "Zoe",
         "Angel", "Chloe", "Diego", "Hannah", "Kevin", "Grace", "Minh", "Linh", "Jin", "Mei",
         "Arjun", "Priya", "Omar", "Amina", "Malik", "Aaliyah", "Jamal", "Imani", "Tyler",
         "Kayla", "Luis", "Ximena", "Carlos", "Nayeli", "Samuel", "Leah", "Elijah", "Aria",
         "Ryan", "Hana", "Tevita")
LAST = ("Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez",
        "Ramirez", "Flores", "Nguyen", "Tran", "Le", "Pham", "Kim", "Park", "Lee", "Chen", "Wang",
        "Wong", "Patel", "Singh", "Khan", "Smith", "Johnson", "Williams", "Brown", "Jones",
        "Davis", "Miller", "Wilson", "Moore", "Taylor", "Thomas", "Jackson", "White", "Harris",
        "Robinson", "Walker", "Young", "Allen", "King", "Scott", "Green", "Baker", "Adams",
        "Nelson", "Hill", "Campbell", "Mitchell", "Reyes", "Cruz", "Morales", "Ortiz", "Castillo",
        "Vargas", "Santos", "Delgado", "Aguilar", "Fifita")
EMAIL_DOMAIN = "district.example.org"  # RFC 2606 reserves example.org: no real mailbox


def _draw(n: int, seed: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, salt])
    return rng.integers(0, len(FIRST), n), rng.integers(0, len(LAST), n)


def student_names(n: int, seed: int) -> tuple[pa.Array, pa.Array]:
    """First and last names of ``n`` students."""
    first, last = _draw(n, seed, 0x5EED_0001)
    return pa.array(np.array(FIRST)[first]), pa.array(np.array(LAST)[last])


def staff_names(staff_index: np.ndarray, staff_ids: pa.Array, seed: int,
                ) -> tuple[pa.Array, pa.Array]:
    """Name and work email of each staff row; a person keeps both across years."""
    n = int(staff_index.max()) + 1 if staff_index.size else 0
    first, last = _draw(n, seed, 0x5EED_0002)
    name = pc.binary_join_element_wise(pa.array(np.array(FIRST)[first][staff_index]),
                                       pa.array(np.array(LAST)[last][staff_index]), " ")
    email = pc.binary_join_element_wise(pc.utf8_lower(staff_ids), EMAIL_DOMAIN, "@")
    return name, email

"""Import every model so the metadata (migrations, tests) knows every table. One line per domain."""

from club.activities import models as activities_models  # noqa: F401
from club.auth import models as auth_models  # noqa: F401
from club.core import models as core_models  # noqa: F401
from club.core import storage  # noqa: F401
from club.deals import models as deals_models  # noqa: F401
from club.incubator import models as incubator_models  # noqa: F401
from club.mailings import models as mailings_models  # noqa: F401
from club.members import models as members_models  # noqa: F401
from club.missions import models as missions_models  # noqa: F401
from club.programmes import models as programmes_models  # noqa: F401
from club.reports import models as reports_models  # noqa: F401
from club.segments import models as segments_models  # noqa: F401
